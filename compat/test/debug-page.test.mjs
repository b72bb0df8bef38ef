// kcmock's debug page (/_kcmock/) in headless Chromium (playwright-core, /usr/bin/chromium): the
// realm, client and user lists, the journal with a refusal, and the token decoder fed a real
// token through its form. Screenshots go to artifacts/ at the repository root.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { startKcmock, repoRoot, passwordToken, post } from './helpers.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const artifacts = path.join(repoRoot, 'artifacts')

let kc
let browser
let page
let tokens
const consoleLines = []

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  await mkdir(artifacts, { recursive: true })
  // The default scenario (realm demo), as `kcmock` serves it without --scenario.
  kc = await startKcmock({ scenarios: 'scenarios/default.toml', realm: 'demo' })
  // One grant and one refusal, for the journal.
  tokens = await passwordToken(kc.issuer(), { clientId: 'demo-app', clientSecret: 'demo-app-secret', username: 'alice', password: 'alice', scope: 'openid' })
  const refused = await post(`${kc.issuer()}/protocol/openid-connect/token`,
    { grant_type: 'password', username: 'alice', password: 'wrong' }, { basic: ['demo-app', 'demo-app-secret'] })
  assert.equal(refused.status, 401)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.setDefaultTimeout(15_000)
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`))
})

after(async () => {
  await browser?.close()
  await kc?.stop()
})

const debug = () => `\npage: ${page.url()}\nconsole:\n  ${consoleLines.join('\n  ')}\nkcmock:\n${kc.output()}`

test('the debug page lists the scenario and decodes a token', async (t) => {
  await t.test('realms, clients, users and the journal are shown', async () => {
    const res = await page.goto(`${kc.base}/_kcmock`) // the bare prefix redirects to the page
    assert.equal(res.status(), 200, debug())
    assert.equal(new URL(page.url()).pathname, '/_kcmock/')
    assert.equal(await page.title(), 'kcmock debug')

    const realms = page.locator('#realm-list')
    assert.equal(await realms.isVisible(), true)
    assert.match(await realms.textContent(), /demo \(kcmock demo\): 3 clients/)

    const realm = page.locator('#realm-demo')
    const clients = realm.locator('table.clients').first()
    for (const id of ['demo-app', 'demo-spa', 'demo-api']) {
      assert.equal(await clients.locator('code.client-id', { hasText: id }).isVisible(), true, `client ${id}`)
    }
    const spa = clients.locator('tr', { has: page.locator('code.client-id', { hasText: 'demo-spa' }) })
    assert.match(await spa.textContent(), /public/)
    assert.match(await spa.textContent(), /http:\/\/localhost:5173\/\*/)

    const users = realm.locator('table.users')
    for (const name of ['alice', 'bob', 'carol', 'service-account-demo-app']) {
      assert.equal(await users.locator('code.username', { hasText: name }).first().isVisible(), true, `user ${name}`)
    }
    const bob = users.locator('tr', { has: page.locator('code.username', { hasText: /^bob$/ }) })
    assert.match(await bob.textContent(), /\/staff/)
    assert.match(await bob.textContent(), /demo-api writer/) // through the group

    const refused = page.locator('#journal tr.refused')
    assert.equal(await refused.count(), 1)
    assert.match(await refused.textContent(), /invalid_grant/)
    assert.equal(await page.locator('#journal tr.granted').count(), 1)

    await page.screenshot({ path: path.join(artifacts, 'debug-page.png'), fullPage: true })
  })

  await t.test('the decoder verifies a real access token', async () => {
    await page.fill('#token', tokens.access_token)
    await page.click('#decode')
    await page.waitForURL((u) => u.pathname === '/_kcmock/decode')
    assert.equal(new URL(page.url()).hash, '#decoder')
    const status = page.locator('#decode-status')
    assert.equal(await status.textContent(), 'verified', debug())
    assert.equal(await status.isVisible(), true)
    assert.match(await page.locator('#decode-message').textContent(), /signed with the active signing key of realm demo/)
    const claims = await page.locator('#decode-claims').textContent()
    assert.equal(JSON.parse(claims).preferred_username, 'alice')
    assert.equal(JSON.parse(claims).azp, 'demo-app')
    assert.match(await page.locator('#decode-header').textContent(), /"alg": "RS256"/)
    // The token stays in the box, and the rest of the page is still there.
    assert.equal(await page.inputValue('#token'), tokens.access_token)
    assert.equal(await page.locator('#realm-demo').isVisible(), true)
    await page.locator('#decoder').screenshot({ path: path.join(artifacts, 'debug-decoded.png') })
  })

  await t.test('a refresh token verifies with the HMAC key; a forged token does not verify', async () => {
    await page.fill('#token', tokens.refresh_token)
    await page.click('#decode')
    // The previous result is on the page until the new one loads: wait for the new one.
    await page.waitForFunction(() => /HMAC key/.test(document.getElementById('decode-message')?.textContent))
    assert.equal(await page.locator('#decode-status').textContent(), 'verified')
    assert.match(await page.locator('#decode-message').textContent(), /HMAC key of realm demo/)

    const [h, p, s] = tokens.access_token.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), preferred_username: 'mallory' })).toString('base64url')}.${s}`
    await page.fill('#token', forged)
    await page.click('#decode')
    await page.waitForFunction(() => document.getElementById('decode-status')?.textContent === 'bad-signature')
    assert.match(await page.locator('#decode-claims').textContent(), /mallory/)
  })
})

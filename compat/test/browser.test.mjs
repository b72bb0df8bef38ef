// keycloak-js in Chromium (playwright-core, /usr/bin/chromium) against kcmock: check-sso with
// PKCE and a silent check-sso iframe, the login page, a failed login, SSO on reload and in a
// second tab, logout, and the second tab noticing it through the session-status iframe.
// Screenshots go to artifacts/ at the repository root.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { startKcmock, repoRoot, claims } from './helpers.mjs'
import { startApp } from '../browser/server.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const artifacts = path.join(repoRoot, 'artifacts')

let kc
let app
let context
let profile
let page
const consoleLines = []
const topNavigations = []
const requests = [] // every request of the browser that got an answer: { status, method, url }

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  await mkdir(artifacts, { recursive: true })
  app = await startApp()
  kc = await startKcmock({ scenarios: 'browser.toml', realm: 'browser', vars: { APP_PORT: app.port } })
  app.setConfig({ url: kc.base, realm: 'browser', clientId: 'spa' })
  profile = await mkdtemp(path.join(tmpdir(), 'kcmock-compat-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 700 }
  })
  page = context.pages()[0] ?? await context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}${m.location()?.url ? ' (' + m.location().url + ')' : ''}`))
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`))
  page.on('response', (r) => { if (r.status() >= 400) consoleLines.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`) })
  context.on('requestfinished', async (r) => {
    requests.push({ status: (await r.response())?.status(), method: r.method(), url: new URL(r.url()) })
  })
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) topNavigations.push(f.url()) })
})

after(async () => {
  await context?.close()
  if (profile) await rm(profile, { recursive: true, force: true })
  await app?.close()
  await kc?.stop()
})

// status waits for the app to settle on a state and returns it.
async function status () {
  const el = page.locator('#status')
  await page.waitForFunction(() => {
    const s = document.getElementById('status')?.textContent
    return s && s !== 'loading'
  })
  return el.textContent()
}

// debug is what a failing assertion shows next to its message.
const debug = () => `\npage: ${page.url()}\nconsole:\n  ${consoleLines.join('\n  ')}\nkcmock:\n${kc.output()}`

test('check-sso, login, SSO on reload, logout', async (t) => {
  await t.test('a fresh browser is not authenticated', async () => {
    await page.goto(app.origin + '/')
    assert.equal(await status(), 'unauthenticated', debug())
    assert.equal(await page.locator('#login').isVisible(), true)
    assert.equal(await page.locator('#username').textContent(), '')
  })

  await t.test('login shows kcmock\'s login page', async () => {
    await page.click('#login')
    await page.waitForURL((u) => u.href.startsWith(`${kc.issuer('browser')}/protocol/openid-connect/auth?`))
    const url = new URL(page.url())
    assert.equal(url.searchParams.get('client_id'), 'spa')
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
    assert.equal(url.searchParams.get('response_mode'), 'fragment')
    await page.locator('#username').waitFor()
    assert.equal(await page.locator('#kc-page-title').textContent(), 'Sign in to your account')
    await page.screenshot({ path: path.join(artifacts, 'keycloak-js-login-page.png'), fullPage: true })
  })

  await t.test('a wrong password: "Invalid username or password."', async () => {
    await page.fill('#username', 'alice')
    await page.fill('#password', 'wrong')
    await page.click('#kc-login')
    const alert = page.locator('#input-error')
    await alert.waitFor()
    assert.equal((await alert.textContent()).trim(), 'Invalid username or password.')
    assert.equal(await alert.isVisible(), true)
    assert.equal(await page.inputValue('#username'), 'alice')
    await page.screenshot({ path: path.join(artifacts, 'keycloak-js-login-failed.png'), fullPage: true })
  })

  await t.test('the right password: back on the app, authenticated as alice', async () => {
    await page.fill('#password', 'alice')
    await page.click('#kc-login')
    await page.waitForURL((u) => u.origin === app.origin)
    assert.equal(await status(), 'authenticated', debug())
    assert.equal(await page.locator('#username').textContent(), 'alice')
    const token = await page.evaluate(() => window.keycloak.token)
    const at = claims(token)
    assert.equal(at.iss, kc.issuer('browser'))
    assert.equal(at.azp, 'spa')
    assert.equal(at.preferred_username, 'alice')
    assert.match(at.jti, /^onrtac:/)
    assert.deepEqual(at['allowed-origins'], [app.origin])
    // keycloak-js cleaned the callback parameters out of the URL.
    assert.equal(new URL(page.url()).hash, '')
    await page.screenshot({ path: path.join(artifacts, 'keycloak-js-authenticated.png') })
  })

  await t.test('reload: check-sso reuses the SSO session without the form', async () => {
    const before = topNavigations.length
    const from = requests.length
    await page.reload()
    assert.equal(await status(), 'authenticated', debug())
    assert.equal(await page.locator('#username').textContent(), 'alice')
    const navigated = topNavigations.slice(before)
    assert.ok(navigated.every((u) => u.startsWith(app.origin)), `the page never left the app: ${navigated.join(', ')}`)
    // What kcmock served on the way: the third-party cookie check, the session-status iframe
    // (whose "changed" started the silent check), and the silent authorization request.
    const seen = requests.slice(from).filter((r) => r.url.origin === kc.base)
    const oidc = '/realms/browser/protocol/openid-connect'
    const one = (p, st) => assert.ok(seen.some((r) => r.url.pathname === oidc + p && r.status === st), `${p} → ${st}: ${seen.map((r) => `${r.status} ${r.url.pathname}`).join(', ')}`)
    one('/3p-cookies/step1.html', 200)
    one('/3p-cookies/step2.html', 200)
    one('/login-status-iframe.html', 200)
    one('/login-status-iframe.html/init', 204)
    const silent = seen.find((r) => r.url.pathname === oidc + '/auth')
    assert.equal(silent?.url.searchParams.get('prompt'), 'none')
    assert.equal(silent?.status, 302)
    assert.ok(requests.slice(from).some((r) => r.url.href.startsWith(app.origin + '/silent-check-sso.html')))
  })

  await t.test('the session-status iframe says "unchanged"', async () => {
    // keycloak-js's own check (the login-status iframe and its /init pre-check); it
    // clears the tokens and calls onAuthLogout when the answer is "changed".
    const unchanged = await page.evaluate(async () => {
      await window.keycloak.updateToken(-1)
      return window.keycloak.authenticated
    })
    assert.equal(unchanged, true, debug())
  })

  let second
  await t.test('a second tab is signed in by check-sso alone', async () => {
    second = await context.newPage()
    await second.goto(app.origin + '/')
    await second.waitForFunction(() => document.getElementById('status')?.textContent === 'authenticated')
    assert.equal(await second.locator('#username').textContent(), 'alice')
  })

  await t.test('logout: the app is unauthenticated, and so is a new check-sso', async () => {
    await page.click('#logout')
    await page.waitForURL((u) => u.origin === app.origin && !u.hash)
    assert.equal(await status(), 'unauthenticated', debug())
    assert.equal(await page.locator('#username').textContent(), '')
    const sessions = await (await fetch(`${kc.base}/_kcmock/realms/browser/sessions`)).json()
    assert.deepEqual(sessions.sessions, [], 'kcmock holds no session after logout')

    await page.reload()
    assert.equal(await status(), 'unauthenticated', debug())
    assert.equal(await page.locator('#login').isVisible(), true)
  })

  await t.test('the other tab notices the logout through the session-status iframe', async () => {
    // keycloak-js asks the iframe every 5 s; the SSO cookie is gone, so it answers "changed"
    // and keycloak-js calls onAuthLogout.
    await second.waitForFunction(() => document.getElementById('status')?.textContent === 'unauthenticated', null, { timeout: 12_000 })
    assert.equal(await second.locator('#username').textContent(), '')
    await second.close()
  })

  // The browser asks kcmock for /favicon.ico while it shows the login page; kcmock has none (404).
  const errors = consoleLines.filter((l) => /^(error|pageerror)/.test(l) && !l.includes(`(${kc.base}/favicon.ico)`))
  assert.deepEqual(errors, [], debug())
})

// keycloak-connect (Keycloak's Node.js adapter) against kcmock: an Express API, bearer-only,
// whose realm URL is kcmock's, protects one route with keycloak.protect('realm:customer') and
// one with keycloak.protect('demo-api:reader'). The adapter fetches kcmock's JWKS by kid and
// checks signature (RS256), typ, iss and exp itself.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import express from 'express'
import { startKcmock, passwordToken } from './helpers.mjs'

const require = createRequire(import.meta.url)
const Keycloak = require('keycloak-connect')

let kc
let api
let apiBase
const tokens = {}

before(async () => {
  kc = await startKcmock({ scenarios: 'keycloak-connect.toml', realm: 'shop' })
  const keycloak = new Keycloak({}, {
    realm: 'shop',
    'auth-server-url': kc.base,
    'ssl-required': 'none',
    resource: 'demo-api',
    'bearer-only': true,
    'confidential-port': 0
  })
  const app = express()
  app.use(keycloak.middleware())
  const who = (req, res) => res.json({ user: req.kauth.grant.access_token.content.preferred_username })
  app.get('/customer', keycloak.protect('realm:customer'), who)
  app.get('/reader', keycloak.protect('demo-api:reader'), who)
  app.get('/any', keycloak.protect(), who)
  await new Promise((resolve) => { api = app.listen(0, '127.0.0.1', resolve) })
  apiBase = `http://127.0.0.1:${api.address().port}`
  for (const user of ['alice', 'bob', 'dave', 'erin']) {
    tokens[user] = (await passwordToken(kc.issuer(), { clientId: 'shop-web', username: user, password: user })).access_token
  }
})

after(async () => {
  api?.closeAllConnections()
  await new Promise((resolve) => api ? api.close(resolve) : resolve())
  await kc?.stop()
})

async function call (path, token) {
  const res = await fetch(apiBase + path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  return { status: res.status, text }
}

const cases = [
  // user, route, status
  ['alice', '/customer', 200], ['alice', '/reader', 200],
  ['bob', '/customer', 200], ['bob', '/reader', 403],
  ['dave', '/customer', 403], ['dave', '/reader', 200],
  ['erin', '/customer', 403], ['erin', '/reader', 403], ['erin', '/any', 200]
]

for (const [user, route, status] of cases) {
  test(`${user} on ${route}: ${status}`, async () => {
    const res = await call(route, tokens[user])
    assert.equal(res.status, status, res.text)
    if (status === 200) assert.deepEqual(JSON.parse(res.text), { user })
    else assert.equal(res.text, 'Access denied')
  })
}

// keycloak-connect answers 403 "Access denied" to every request without a valid grant in
// bearer-only mode: it has no 401 path.
test('no token, garbage and tampered tokens: 403', async () => {
  for (const route of ['/customer', '/reader', '/any']) {
    assert.equal((await call(route)).status, 403, `${route} without a token`)
    assert.equal((await call(route, 'garbage')).status, 403, `${route} with garbage`)
  }
  const [h, p, s] = tokens.bob.split('.')
  const payload = JSON.parse(Buffer.from(p, 'base64url'))
  payload.resource_access = { 'demo-api': { roles: ['reader'] } }
  const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.')
  assert.equal((await call('/reader', forged)).status, 403, 'bob with a forged reader role')
})

// unknown-kid also makes keycloak-connect print "Not enough time elapsed since the last request,
// blocking the request": it refetches the JWKS at most every 10 s.
test('bad tokens minted by the control API: 403', async () => {
  for (const bad of ['expired', 'wrong-issuer', 'bad-signature', 'unknown-kid', 'wrong-typ']) {
    const res = await fetch(`${kc.base}/_kcmock/realms/shop/mint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice', client: 'shop-web', bad })
    })
    assert.equal(res.status, 200, `mint ${bad}`)
    const { token } = await res.json()
    assert.equal((await call('/customer', token)).status, 403, bad)
  }
  // The same request with a good minted token passes.
  const res = await fetch(`${kc.base}/_kcmock/realms/shop/mint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'alice', client: 'shop-web' })
  })
  assert.equal((await call('/customer', (await res.json()).token)).status, 200)
})

// keycloak-connect (Keycloak's Node.js adapter) against kcmock:
//   - an Express API, bearer-only, whose realm URL is kcmock's, protects one route with
//     keycloak.protect('realm:customer') and one with keycloak.protect('demo-api:reader'). The
//     adapter fetches kcmock's JWKS by kid and checks signature (RS256), typ, iss and exp itself;
//   - a web app with express-session: login through kcmock's login page (code flow, the
//     adapter exchanges the code and validates access and ID tokens), then logout.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import express from 'express'
import session from 'express-session'
import { startKcmock, passwordToken } from './helpers.mjs'

const require = createRequire(import.meta.url)
const Keycloak = require('keycloak-connect')

let kc
let api
let apiBase
let portal
let portalBase
const tokens = {}

// listen starts an Express app on a free port of 127.0.0.1.
const listen = (app) => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })

before(async () => {
  // The portal's port goes into the scenario (its redirect URI), so it listens first.
  const portalApp = express()
  portal = await listen(portalApp)
  portalBase = `http://127.0.0.1:${portal.address().port}`
  kc = await startKcmock({ scenarios: 'keycloak-connect.toml', realm: 'shop', vars: { PORTAL_PORT: portal.address().port } })
  setUpPortal(portalApp)

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
  api = await listen(app)
  apiBase = `http://127.0.0.1:${api.address().port}`
  for (const user of ['alice', 'bob', 'dave', 'erin']) {
    tokens[user] = (await passwordToken(kc.issuer(), { clientId: 'shop-web', username: user, password: user })).access_token
  }
})

after(async () => {
  for (const s of [api, portal]) {
    s?.closeAllConnections()
    await new Promise((resolve) => s ? s.close(resolve) : resolve())
  }
  await kc?.stop()
})

// setUpPortal is a server-side web app as keycloak-connect's README shows it: express-session
// with a MemoryStore shared with the adapter, /logout handled by the adapter.
function setUpPortal (app) {
  const store = new session.MemoryStore()
  app.use(session({ secret: 'compat', resave: false, saveUninitialized: true, store }))
  const keycloak = new Keycloak({ store }, {
    realm: 'shop',
    'auth-server-url': kc.base,
    'ssl-required': 'none',
    resource: 'shop-portal',
    credentials: { secret: 'portal-secret' },
    'confidential-port': 0
  })
  app.use(keycloak.middleware({ logout: '/logout' }))
  app.get('/portal', keycloak.protect('realm:customer'), (req, res) => {
    const grant = req.kauth.grant
    res.json({
      user: grant.access_token.content.preferred_username,
      idTokenAud: grant.id_token.content.aud,
      sid: grant.access_token.content.sid
    })
  })
  app.get('/', (req, res) => res.send('home'))
}


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

// browser is a minimal cookie-keeping client: one jar per origin, redirects not followed.
function browser () {
  const jars = new Map()
  return async function go (url, init = {}) {
    const u = new URL(url)
    const jar = jars.get(u.origin) ?? new Map()
    jars.set(u.origin, jar)
    const headers = { ...init.headers }
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await fetch(u, { ...init, headers, redirect: 'manual' })
    for (const c of res.headers.getSetCookie()) {
      const [kv, ...attrs] = c.split(';')
      const i = kv.indexOf('=')
      const name = kv.slice(0, i).trim()
      const gone = attrs.some((a) => /^\s*max-age=(0|-\d+)\s*$/i.test(a)) || kv.slice(i + 1) === ''
      if (gone) jar.delete(name); else jar.set(name, kv.slice(i + 1))
    }
    return res
  }
}

test('web app with express-session: login through kcmock\'s login page, then logout', async () => {
  const go = browser()

  // Not logged in: the adapter sends the browser to kcmock.
  let res = await go(`${portalBase}/portal`)
  assert.equal(res.status, 302)
  const auth = new URL(res.headers.get('location'))
  assert.equal(auth.origin + auth.pathname, `${kc.issuer()}/protocol/openid-connect/auth`)
  assert.equal(auth.searchParams.get('client_id'), 'shop-portal')
  assert.equal(auth.searchParams.get('redirect_uri'), `${portalBase}/portal?auth_callback=1`)

  res = await go(auth)
  assert.equal(res.status, 200)
  const html = await res.text()
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)
  assert.ok(action, 'kcmock shows its login form')
  res = await go(action[1].replaceAll('&amp;', '&'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password: 'alice' })
  })
  assert.equal(res.status, 302)
  const callback = new URL(res.headers.get('location'))
  assert.equal(callback.origin + callback.pathname, `${portalBase}/portal`)
  assert.equal(callback.searchParams.get('auth_callback'), '1')
  assert.equal(callback.searchParams.get('state'), auth.searchParams.get('state'))
  assert.ok(callback.searchParams.get('code'))

  // The adapter exchanges the code (validating both tokens) and sends the browser back.
  res = await go(callback)
  assert.equal(res.status, 302, await res.clone().text())
  // keycloak-connect strips code, state and session_state; Keycloak 26's RFC 9207 iss stays.
  const back = new URL(res.headers.get('location'), portalBase)
  assert.equal(back.pathname, '/portal')
  assert.deepEqual([...back.searchParams.keys()], ['iss'])
  assert.equal(back.searchParams.get('iss'), kc.issuer())
  res = await go(`${portalBase}/portal`)
  assert.equal(res.status, 200)
  const me = await res.json()
  assert.equal(me.user, 'alice')
  assert.equal(me.idTokenAud, 'shop-portal')
  assert.equal(me.sid, callback.searchParams.get('session_state'))

  // Logout: the adapter forgets the grant and sends the browser to kcmock's logout with the
  // ID token as hint; kcmock ends the session and comes back without a confirmation page.
  res = await go(`${portalBase}/logout`)
  assert.equal(res.status, 302)
  const logout = new URL(res.headers.get('location'))
  assert.equal(logout.origin + logout.pathname, `${kc.issuer()}/protocol/openid-connect/logout`)
  assert.ok(logout.searchParams.get('id_token_hint'))
  res = await go(logout)
  assert.equal(res.status, 302, await res.clone().text())
  assert.equal(res.headers.get('location'), `${portalBase}/`)
  const sessions = await (await fetch(`${kc.base}/_kcmock/realms/shop/sessions`)).json()
  assert.equal(sessions.sessions.filter((s) => s.id === me.sid).length, 0, 'the session has ended')

  // Logged out everywhere: the portal sends the browser to the login form again.
  res = await go(`${portalBase}/portal`)
  assert.equal(res.status, 302)
  res = await go(res.headers.get('location'))
  assert.equal(res.status, 200)
  assert.match(await res.text(), /id="kc-form-login"/)
})

// openid-client v6 against kcmock: discovery, client credentials, password, refresh, token
// exchange (scenarios/standard-exchange.toml's gateway flow), introspection, userinfo,
// revocation, and the authorization code flow with PKCE.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { startKcmock, claims, passwordToken } from './helpers.mjs'

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

let kc
let app // node-app of realm compat (client_secret_basic)
let gateway // api-gateway of realm acme

// discover is openid-client's discovery over plain HTTP (kcmock listens on http://127.0.0.1).
const discover = (issuer, clientId, auth) =>
  client.discovery(new URL(issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] })

before(async () => {
  kc = await startKcmock({ scenarios: ['openid-client.toml', 'scenarios/standard-exchange.toml'], realm: 'compat' })
  app = await discover(kc.issuer('compat'), 'node-app', client.ClientSecretBasic('node-app-secret'))
  gateway = await discover(kc.issuer('acme'), 'api-gateway', client.ClientSecretBasic('gateway-secret'))
})

after(async () => { await kc?.stop() })

test('discovery: issuer and endpoints', () => {
  const md = app.serverMetadata()
  const issuer = kc.issuer('compat')
  assert.equal(md.issuer, issuer)
  assert.equal(md.token_endpoint, `${issuer}/protocol/openid-connect/token`)
  assert.equal(md.jwks_uri, `${issuer}/protocol/openid-connect/certs`)
  assert.equal(md.userinfo_endpoint, `${issuer}/protocol/openid-connect/userinfo`)
  assert.equal(md.introspection_endpoint, `${issuer}/protocol/openid-connect/token/introspect`)
  assert.equal(md.end_session_endpoint, `${issuer}/protocol/openid-connect/logout`)
  assert.ok(md.grant_types_supported.includes(EXCHANGE))
  assert.ok(md.code_challenge_methods_supported.includes('S256'))
  assert.equal(gateway.serverMetadata().issuer, kc.issuer('acme'))
})

test('client credentials grant', async () => {
  const tokens = await client.clientCredentialsGrant(app)
  assert.equal(tokens.token_type.toLowerCase(), 'bearer')
  assert.equal(tokens.expires_in, 300)
  assert.equal(tokens.refresh_token, undefined)
  const at = claims(tokens.access_token)
  assert.equal(at.iss, kc.issuer('compat'))
  assert.equal(at.azp, 'node-app')
  assert.equal(at.preferred_username, 'service-account-node-app')
  assert.match(at.jti, /^trrtcc:/)
  assert.deepEqual(at.resource_access['compat-api'], { roles: ['reader'] })
})

test('password grant (generic grant) with an ID token, then refresh', async () => {
  const tokens = await client.genericGrantRequest(app, 'password', { username: 'alice', password: 'alice', scope: 'openid' })
  // openid-client validated the ID token's iss, aud, azp, exp and iat.
  const id = tokens.claims()
  assert.equal(id.iss, kc.issuer('compat'))
  assert.equal(id.aud, 'node-app')
  assert.equal(id.preferred_username, 'alice')
  assert.equal(id.email, 'alice@example.com')
  assert.equal(id.name, 'Alice Liddell')
  assert.deepEqual(tokens.scope.split(' ').sort(), ['email', 'openid', 'profile'])
  const at = claims(tokens.access_token)
  assert.equal(at.sub, id.sub)
  assert.ok(at.realm_access.roles.includes('customer'))
  assert.match(at.jti, /^onrtro:/)
  assert.equal(tokens.session_state, at.sid)

  const refreshed = await client.refreshTokenGrant(app, tokens.refresh_token)
  const rat = claims(refreshed.access_token)
  assert.match(rat.jti, /^onrtrt:/)
  assert.equal(rat.sid, at.sid)
  assert.equal(rat.sub, at.sub)
  assert.equal(refreshed.claims().sub, id.sub)
  assert.ok(refreshed.refresh_token)
})

test('password grant with client_secret_post', async () => {
  const post = await discover(kc.issuer('compat'), 'node-post', client.ClientSecretPost('node-post-secret'))
  const tokens = await client.genericGrantRequest(post, 'password', { username: 'alice', password: 'alice' })
  assert.equal(claims(tokens.access_token).azp, 'node-post')
})

test('refusals surface as ResponseBodyError with Keycloak\'s error', async () => {
  await assert.rejects(client.genericGrantRequest(app, 'password', { username: 'alice', password: 'wrong' }), (err) => {
    assert.equal(err.name, 'ResponseBodyError')
    assert.equal(err.status, 401)
    assert.equal(err.error, 'invalid_grant')
    assert.equal(err.error_description, 'Invalid user credentials')
    return true
  })
  const wrong = await discover(kc.issuer('compat'), 'node-app', client.ClientSecretBasic('not-the-secret'))
  await assert.rejects(client.clientCredentialsGrant(wrong), { error: 'unauthorized_client', status: 401 })
})

test('token exchange (generic grant): api-gateway exchanges alice\'s SPA token for orders-api', async () => {
  const alice = await passwordToken(kc.issuer('acme'), { clientId: 'web-frontend', username: 'alice', password: 'alice' })
  const subject = claims(alice.access_token)
  assert.deepEqual([].concat(subject.aud).sort(), ['account', 'api-gateway', 'billing-api', 'orders-api'])

  const exchanged = await client.genericGrantRequest(gateway, EXCHANGE, {
    subject_token: alice.access_token,
    subject_token_type: ACCESS_TOKEN_TYPE,
    audience: 'orders-api'
  })
  assert.equal(exchanged.issued_token_type, ACCESS_TOKEN_TYPE)
  assert.equal(exchanged.token_type.toLowerCase(), 'bearer')
  assert.equal(exchanged.expires_in, 300)
  assert.equal(exchanged.refresh_token, undefined)
  const at = claims(exchanged.access_token)
  assert.equal(at.iss, kc.issuer('acme'))
  assert.equal(at.azp, 'api-gateway')
  assert.equal(at.aud, 'orders-api')
  assert.equal(at.sub, subject.sub)
  assert.equal(at.sid, subject.sid)
  assert.equal(at.preferred_username, 'alice')
  assert.deepEqual(Object.keys(at.resource_access), ['orders-api'])
  assert.match(at.jti, /^ntrtte:/)

  // Two audiences through URLSearchParams (a repeated parameter).
  const both = await client.genericGrantRequest(gateway, EXCHANGE, new URLSearchParams([
    ['subject_token', alice.access_token], ['subject_token_type', ACCESS_TOKEN_TYPE],
    ['audience', 'orders-api'], ['audience', 'billing-api']
  ]))
  assert.deepEqual([].concat(claims(both.access_token).aud).sort(), ['billing-api', 'orders-api'])

  // bob holds no orders-api role.
  const bob = await passwordToken(kc.issuer('acme'), { clientId: 'web-frontend', username: 'bob', password: 'bob' })
  await assert.rejects(client.genericGrantRequest(gateway, EXCHANGE, {
    subject_token: bob.access_token, subject_token_type: ACCESS_TOKEN_TYPE, audience: 'orders-api'
  }), { status: 400, error: 'invalid_request', error_description: 'Requested audience not available: orders-api' })

  // The gateway may introspect what it got.
  const info = await client.tokenIntrospection(gateway, exchanged.access_token)
  assert.equal(info.active, true)
  assert.equal(info.azp, 'api-gateway')
  assert.equal(info.username, 'alice')
})

test('introspection: active access and refresh tokens, inactive after revocation', async () => {
  const tokens = await client.genericGrantRequest(app, 'password', { username: 'alice', password: 'alice', scope: 'openid' })
  const at = claims(tokens.access_token)
  const info = await client.tokenIntrospection(app, tokens.access_token)
  assert.equal(info.active, true)
  assert.equal(info.sub, at.sub)
  assert.equal(info.client_id, 'node-app')
  assert.equal(info.username, 'alice')
  assert.equal(info.token_type, 'Bearer')
  assert.equal(info.exp, at.exp)
  assert.equal(info.iss, kc.issuer('compat'))

  const rinfo = await client.tokenIntrospection(app, tokens.refresh_token, { token_type_hint: 'refresh_token' })
  assert.equal(rinfo.active, true)
  assert.equal(rinfo.typ, 'Refresh')

  assert.equal((await client.tokenIntrospection(app, 'not-a-token')).active, false)

  await client.tokenRevocation(app, tokens.refresh_token, { token_type_hint: 'refresh_token' })
  assert.equal((await client.tokenIntrospection(app, tokens.refresh_token)).active, false)
  assert.equal((await client.tokenIntrospection(app, tokens.access_token)).active, false)
})

test('userinfo', async () => {
  const tokens = await client.genericGrantRequest(app, 'password', { username: 'alice', password: 'alice', scope: 'openid' })
  const sub = tokens.claims().sub
  const info = await client.fetchUserInfo(app, tokens.access_token, sub)
  assert.equal(info.sub, sub)
  assert.equal(info.preferred_username, 'alice')
  assert.equal(info.email, 'alice@example.com')
  assert.equal(info.email_verified, true)
  assert.equal(info.given_name, 'Alice')
  assert.equal(info.family_name, 'Liddell')
  // openid-client checks that userinfo's sub is the expected one.
  await assert.rejects(client.fetchUserInfo(app, tokens.access_token, 'someone-else'))
  // A token without the openid scope.
  const cc = await client.clientCredentialsGrant(app)
  await assert.rejects(client.fetchUserInfo(app, cc.access_token, client.skipSubjectCheck), (err) => {
    assert.equal(err.status, 403)
    return true
  })
})

test('authorization code flow with PKCE, state and nonce (login form submitted by fetch)', async () => {
  const redirectUri = 'http://127.0.0.1:3000/callback'
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(app, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce
  })
  const page = await fetch(url)
  assert.equal(page.status, 200)
  const html = await page.text()
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html) ?? /<form[^>]*action="([^"]+)"/.exec(html)
  assert.ok(action, 'the login page has a form')
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const login = await fetch(action[1].replaceAll('&amp;', '&'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookies ? { cookie: cookies } : {}) },
    body: new URLSearchParams({ username: 'alice', password: 'alice' })
  })
  assert.equal(login.status, 302)
  const callback = new URL(login.headers.get('location'))
  assert.equal(callback.origin + callback.pathname, redirectUri)

  const tokens = await client.authorizationCodeGrant(app, callback, {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true
  })
  const id = tokens.claims()
  assert.equal(id.preferred_username, 'alice')
  assert.equal(id.nonce, nonce)
  assert.equal(claims(tokens.access_token).sid, callback.searchParams.get('session_state'))
  assert.match(claims(tokens.access_token).jti, /^onrtac:/)

  // The end-session URL openid-client builds is accepted (logout without confirmation).
  const logout = client.buildEndSessionUrl(app, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:3000/bye' })
  const res = await fetch(logout, { redirect: 'manual' })
  assert.equal(res.status, 302)
  assert.equal(res.headers.get('location'), 'http://127.0.0.1:3000/bye')
  assert.equal((await client.tokenIntrospection(app, tokens.access_token)).active, false)
})

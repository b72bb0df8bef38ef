// jose against kcmock: access and ID tokens of every signing algorithm kcmock supports verify
// against the realm's remote JWKS (createRemoteJWKSet), with the issuer checked; tampered
// tokens, another realm's tokens and tokens checked for another issuer are refused.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader, errors } from 'jose'
import { startKcmock, passwordToken } from './helpers.mjs'

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']
const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', EdDSA: 'Ed25519' }

let kc

before(async () => {
  kc = await startKcmock({ scenarios: 'algorithms.toml', realm: 'rs256' })
})

after(async () => { await kc?.stop() })

// tamper changes one character of the payload, keeping it valid base64url.
function tamper (jwt) {
  const [h, p, s] = jwt.split('.')
  const payload = JSON.parse(Buffer.from(p, 'base64url'))
  payload.preferred_username = 'mallory'
  return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.')
}

// flipSignature changes the signature's first byte.
function flipSignature (jwt) {
  const [h, p, s] = jwt.split('.')
  const sig = Buffer.from(s, 'base64url')
  sig[0] ^= 0x01
  return [h, p, sig.toString('base64url')].join('.')
}

for (const alg of ALGORITHMS) {
  const realm = alg.toLowerCase()
  test(`${alg}: access and ID tokens verify against the remote JWKS`, async () => {
    const issuer = kc.issuer(realm)
    const jwksUri = new URL(`${issuer}/protocol/openid-connect/certs`)
    const JWKS = createRemoteJWKSet(jwksUri)

    const jwks = await (await fetch(jwksUri)).json()
    const sig = jwks.keys.filter((k) => k.use === 'sig')
    assert.equal(sig.length, 1, 'one signing key')
    assert.equal(sig[0].alg, alg)
    if (CURVES[alg]) assert.equal(sig[0].crv, CURVES[alg])

    const tokens = await passwordToken(issuer, { clientId: 'cli', username: 'alice', password: 'alice', scope: 'openid' })
    for (const [name, jwt, typ] of [['access', tokens.access_token, 'Bearer'], ['id', tokens.id_token, 'ID']]) {
      const header = decodeProtectedHeader(jwt)
      assert.equal(header.alg, alg, `${name} token alg`)
      assert.equal(header.kid, sig[0].kid, `${name} token kid`)
      const { payload, protectedHeader } = await jwtVerify(jwt, JWKS, { issuer, algorithms: [alg], typ: 'JWT' })
      assert.equal(protectedHeader.alg, alg)
      assert.equal(payload.typ, typ)
      assert.equal(payload.preferred_username, 'alice')
      if (typ === 'ID') {
        await jwtVerify(jwt, JWKS, { issuer, audience: 'cli', algorithms: [alg] })
      }

      await assert.rejects(jwtVerify(tamper(jwt), JWKS, { issuer }), errors.JWSSignatureVerificationFailed, `tampered ${name} token`)
      await assert.rejects(jwtVerify(flipSignature(jwt), JWKS, { issuer }), errors.JWSSignatureVerificationFailed, `${name} token with a bad signature`)
      await assert.rejects(jwtVerify(jwt, JWKS, { issuer: `${issuer}x` }), errors.JWTClaimValidationFailed, `${name} token for another issuer`)
    }

    // Another realm's token: its kid is not in this realm's JWKS.
    const otherRealm = realm === 'rs256' ? 'es256' : 'rs256'
    const other = await passwordToken(kc.issuer(otherRealm), { clientId: 'cli', username: 'alice', password: 'alice' })
    await assert.rejects(jwtVerify(other.access_token, JWKS, { issuer }), errors.JWKSNoMatchingKey)
  })
}

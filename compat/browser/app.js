// The test app: keycloak-js from node_modules, configured from /config.json (kcmock's URL,
// realm and client, and optional initOptions overriding the defaults below), check-sso with
// PKCE and a silent check-sso page.
import Keycloak from '/keycloak.js'

const $ = (id) => document.getElementById(id)
const config = await (await fetch('/config.json')).json()
const keycloak = new Keycloak({ url: config.url, realm: config.realm, clientId: config.clientId })
window.keycloak = keycloak

function render () {
  $('status').textContent = keycloak.authenticated ? 'authenticated' : 'unauthenticated'
  $('username').textContent = keycloak.authenticated ? keycloak.tokenParsed.preferred_username : ''
  $('login').hidden = keycloak.authenticated
  $('logout').hidden = !keycloak.authenticated
}

$('login').addEventListener('click', () => keycloak.login())
$('logout').addEventListener('click', () => keycloak.logout())
keycloak.onAuthLogout = render

try {
  await keycloak.init({
    onLoad: 'check-sso',
    pkceMethod: 'S256',
    silentCheckSsoRedirectUri: location.origin + '/silent-check-sso.html',
    ...config.initOptions
  })
  render()
} catch (err) {
  $('status').textContent = 'error: ' + (err?.error ?? err?.message ?? JSON.stringify(err))
}

// A tiny static server for the keycloak-js test app: index.html, app.js, silent-check-sso.html,
// keycloak-js's ES module from node_modules as /keycloak.js, and /config.json.
//
// Standalone, against a running kcmock:
//   node compat/browser/server.mjs [port] [kcmock URL] [realm] [client id]

import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const files = {
  '/': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/index.html': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [path.join(here, 'app.js'), 'text/javascript; charset=utf-8'],
  '/silent-check-sso.html': [path.join(here, 'silent-check-sso.html'), 'text/html; charset=utf-8'],
  '/keycloak.js': [path.join(here, '..', 'node_modules', 'keycloak-js', 'lib', 'keycloak.js'), 'text/javascript; charset=utf-8']
}

// startApp listens on 127.0.0.1:port (0: a free one). config ({ url, realm, clientId }) can be
// set later with setConfig, once kcmock runs.
export async function startApp ({ port = 0, config = null } = {}) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost')
    if (pathname === '/config.json') {
      res.writeHead(config ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(config ?? { error: 'not configured' }))
      return
    }
    const entry = files[pathname]
    if (!entry || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    try {
      const body = await readFile(entry[0])
      res.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' })
      res.end(body)
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(String(err))
    }
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const actual = server.address().port
  return {
    port: actual,
    origin: `http://127.0.0.1:${actual}`,
    setConfig (c) { config = c },
    close () {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port = '3000', url = 'http://127.0.0.1:8080', realm = 'browser', clientId = 'spa'] = process.argv.slice(2)
  const app = await startApp({ port: Number(port), config: { url, realm, clientId } })
  console.log(`keycloak-js test app on ${app.origin} (kcmock ${url}, realm ${realm}, client ${clientId})`)
}

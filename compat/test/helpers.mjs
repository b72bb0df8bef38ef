// Shared helpers for the compatibility suite: build kcmock once per `node --test` run, start it
// on a free port of 127.0.0.1 with a scenario from compat/scenarios/, wait for discovery, stop it.
//
// Under Node 20 every .mjs file in a directory named test is run as a test file, this one too:
// importing it has no side effects, so it reports as an empty, passing file.

import { spawn, execFile } from 'node:child_process'
import { mkdtemp, mkdir, readFile, writeFile, rename, readdir, rm, stat } from 'node:fs/promises'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)

export const compatDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = path.resolve(compatDir, '..')
export const scenariosDir = path.join(compatDir, 'scenarios')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

// goBuild compiles ./cmd/kcmock into dir/kcmock (atomically: other processes only ever see a
// complete binary).
async function goBuild (dir) {
  const out = path.join(dir, 'kcmock')
  const partial = path.join(dir, `kcmock.partial.${process.pid}`)
  await execFileP('go', ['build', '-o', partial, './cmd/kcmock'], { cwd: repoRoot, maxBuffer: 16 << 20 })
  await rename(partial, out)
  return out
}

// sharedBuild builds once for all test files of one `node --test` run. The runner starts every
// file as a child process of its own, so they share the parent's pid: the first file to take
// the lock directory builds, the others wait for the binary. Directories of runs that have
// ended are removed.
async function sharedBuild () {
  const base = tmpdir()
  for (const name of await readdir(base).catch(() => [])) {
    const m = /^kcmock-compat-run-(\d+)$/.exec(name)
    if (m && Number(m[1]) !== process.ppid && !alive(Number(m[1]))) {
      await rm(path.join(base, name), { recursive: true, force: true }).catch(() => {})
    }
  }
  const dir = path.join(base, `kcmock-compat-run-${process.ppid}`)
  const bin = path.join(dir, 'kcmock')
  await mkdir(dir, { recursive: true })
  let builder = false
  try {
    await mkdir(path.join(dir, 'lock'))
    builder = true
  } catch (err) {
    if (err.code !== 'EEXIST') throw err
  }
  if (builder) {
    try {
      return await goBuild(dir)
    } catch (err) {
      await writeFile(path.join(dir, 'failed'), String(err.stderr || err.message))
      throw err
    }
  }
  const deadline = Date.now() + 300_000
  while (Date.now() < deadline) {
    if (await stat(bin).then(() => true, () => false)) return bin
    const failed = await readFile(path.join(dir, 'failed'), 'utf8').catch(() => null)
    if (failed !== null) throw new Error(`go build failed (in another test file):\n${failed}`)
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${bin}`)
}

let binary
// kcmockBinary is the kcmock binary under test: $KCMOCK_BIN when set, else built from this
// checkout (once per `node --test` run, or once per process when a file is run directly).
export function kcmockBinary () {
  if (!binary) {
    if (process.env.KCMOCK_BIN) {
      binary = Promise.resolve(path.resolve(process.env.KCMOCK_BIN))
    } else if (process.env.NODE_TEST_CONTEXT) {
      binary = sharedBuild()
    } else {
      binary = mkdtemp(path.join(tmpdir(), 'kcmock-compat-')).then((dir) => {
        process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
        return goBuild(dir)
      })
    }
  }
  return binary
}

// freePort asks the kernel for a free TCP port of 127.0.0.1.
export function freePort () {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// startKcmock serves the scenario files (names relative to compat/scenarios/, or paths from the
// repository root). vars replace ${NAME} placeholders in the files first (written to a
// temporary copy). It resolves once the first realm's discovery document is served.
export async function startKcmock ({ scenarios, realm, vars = {}, args = [] }) {
  const bin = await kcmockBinary()
  const files = []
  let tmp
  for (const s of [].concat(scenarios)) {
    let file = s.includes('/') ? path.resolve(repoRoot, s) : path.join(scenariosDir, s)
    if (Object.keys(vars).length > 0) {
      const text = (await readFile(file, 'utf8')).replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (all, name) =>
        name in vars ? String(vars[name]) : all)
      tmp ??= await mkdtemp(path.join(tmpdir(), 'kcmock-compat-scenario-'))
      file = path.join(tmp, path.basename(file))
      await writeFile(file, text)
    }
    files.push('--scenario', file)
  }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(bin, [...files, '--addr', `127.0.0.1:${port}`, '--log-level', 'warn', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KCMOCK_CONTROL: 'true' }
  })
  let output = ''
  child.stdout.on('data', (d) => { output += d })
  child.stderr.on('data', (d) => { output += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  let gone = null
  exited.then((e) => { gone = e })
  // Never leave a kcmock behind, even when the test process ends abruptly.
  const reap = () => { if (!gone) child.kill('SIGKILL') }
  process.on('exit', reap)

  const discovery = `${base}/realms/${encodeURIComponent(realm)}/.well-known/openid-configuration`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (gone) throw new Error(`kcmock exited (${JSON.stringify(gone)}) before serving:\n${output}`)
    try {
      const res = await fetch(discovery)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`kcmock did not serve ${discovery} within 15 s:\n${output}`)
    }
    await sleep(25)
  }

  return {
    base,
    port,
    issuer: (r = realm) => `${base}/realms/${r}`,
    output: () => output,
    async stop () {
      if (!gone) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      process.off('exit', reap)
      if (tmp) await rm(tmp, { recursive: true, force: true })
    }
  }
}

// form POSTs application/x-www-form-urlencoded and returns { status, body (parsed JSON or text) }.
export async function post (url, params, { basic, headers = {} } = {}) {
  const h = { 'content-type': 'application/x-www-form-urlencoded', ...headers }
  if (basic) {
    h.authorization = 'Basic ' + Buffer.from(`${encodeURIComponent(basic[0])}:${encodeURIComponent(basic[1])}`).toString('base64')
  }
  const res = await fetch(url, { method: 'POST', headers: h, body: new URLSearchParams(params) })
  const text = await res.text()
  let body = text
  try { body = JSON.parse(text) } catch {}
  return { status: res.status, body }
}

// passwordToken runs the password grant and returns the token response (throws on a refusal).
export async function passwordToken (issuer, { clientId, clientSecret, username, password, scope }) {
  const params = { grant_type: 'password', username, password }
  if (scope) params.scope = scope
  let opts = {}
  if (clientSecret) {
    opts = { basic: [clientId, clientSecret] }
  } else {
    params.client_id = clientId
  }
  const { status, body } = await post(`${issuer}/protocol/openid-connect/token`, params, opts)
  if (status !== 200) throw new Error(`password grant for ${username}: ${status} ${JSON.stringify(body)}`)
  return body
}

// claims decodes a JWT's payload without verifying it.
export function claims (jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
}

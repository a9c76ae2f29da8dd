// The runtime's commands as a user runs them: `serve --demo` on a fresh data directory,
// `user add`, and `audit verify` catching one edited byte in a copy of the database file.
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCarepathCli, waitUntil } from '@carepath/runtime/testing'

interface Sqlite {
  exec(sql: string): void
  close(): void
}
// The runtime's own SQLite driver (the repository root does not depend on it).
const Database = createRequire(join(import.meta.dirname, '..', '..', 'apps', 'runtime', 'package.json'))(
  'better-sqlite3',
) as new (file: string) => Sqlite

const main = join(import.meta.dirname, '..', '..', 'apps', 'runtime', 'src', 'cli', 'main.ts')
const dir = mkdtempSync(join(tmpdir(), 'carepath-cli-'))
const cli = (args: string[], env: Record<string, string> = {}) => runCarepathCli(args, { env })

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('carepath commands', () => {
  it('serve --demo creates the demo users once, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const data = join(dir, 'demo')
    const proc = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--demo', '--port', '0', '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CAREPATH_DEMO_PASSWORD: 'demo password for tests' },
    })
    let out = ''
    proc.stdout.on('data', (d: Buffer) => (out += String(d)))
    proc.stderr.on('data', (d: Buffer) => (out += String(d)))
    await waitUntil(() => /Demo users/.test(out) || proc.exitCode !== null, 'serve --demo to list the demo users')
    const url = /running at (\S+)/.exec(out)?.[1]
    expect(url).toBeDefined()
    expect(out).toMatch(/Demo users .*analyst, developer, reviewer, reviewer2, agent, clinician, auditor, admin/)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    for (const username of ['analyst', 'reviewer2', 'agent', 'auditor', 'admin']) {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'demo password for tests' }),
      })
      expect([username, res.status]).toEqual([username, 200])
    }
    proc.kill('SIGTERM')
    expect(await new Promise((r) => proc.once('exit', r))).toBe(0)
    expect(out).not.toMatch(/demo password for tests/)
  })

  it('user add creates a user who can then log in; a short password is refused', async () => {
    const data = join(dir, 'users')
    const short = await cli(['user', 'add', 'ada', '--role', 'admin', '--data', data], { CAREPATH_PASSWORD: 'short' })
    expect(short.status).toBe(2)
    expect(short.stderr).toMatch(/12 characters/)
    const ok = await cli(['user', 'add', 'ada', '--role', 'admin', '--data', data], {
      CAREPATH_PASSWORD: 'a good long admin password',
    })
    expect(ok.stdout).toMatch(/Added ada \(admin\)/)
    const again = await cli(['user', 'add', 'ada', '--role', 'admin', '--data', data], {
      CAREPATH_PASSWORD: 'a good long admin password',
    })
    expect(again.stderr).toMatch(/already exists/)
    const wizard = await cli(['user', 'add', 'bob', '--role', 'wizard', '--data', data], {
      CAREPATH_PASSWORD: 'a good long admin password',
    })
    expect(wizard.status).toBe(2)
  })

  it('audit verify passes on the real file and names the record whose byte was edited in a copy', async () => {
    const data = join(dir, 'users')
    const intact = await cli(['audit', 'verify', '--data', data])
    expect(intact.status).toBe(0)
    expect(intact.stdout).toMatch(/intact: 1 records verified/)
    // --data names the installation even when the environment names a PostgreSQL one.
    const named = await cli(['audit', 'verify', '--data', data], {
      CAREPATH_DATABASE_URL: 'postgres://x@127.0.0.1:1/none',
    })
    expect(named.stdout).toMatch(/intact: 1 records verified/)
    for (const name of ['bob', 'cy'])
      await cli(['user', 'add', name, '--role', 'auditor', '--data', data], {
        CAREPATH_PASSWORD: 'a good long password!',
      })
    const copy = join(dir, 'copy')
    mkdirSync(copy, { recursive: true })
    // The database with its key file and anchor, which live beside it.
    for (const name of ['carepath.db', 'carepath.keys.json', 'audit-anchor.jsonl'])
      copyFileSync(join(data, name), join(copy, name))
    // Edit one byte of the second record's text, straight in the file.
    const bytes = readFileSync(join(copy, 'carepath.db'))
    const at = bytes.indexOf(Buffer.from('"user":"bob"'))
    expect(at).toBeGreaterThan(0)
    bytes[at + 9] = 'B'.charCodeAt(0)
    writeFileSync(join(copy, 'carepath.db'), bytes)
    const broken = await cli(['audit', 'verify', '--data', copy, '--json'])
    expect(broken.status).toBe(1)
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, checked: 1, firstBroken: { seq: 2 } })
    expect((await cli(['audit', 'verify', '--data', data])).status).toBe(0)
    // The last record cut off (the guard dropped first): the signed checkpoint outside the file tells.
    const cut = join(dir, 'cut')
    mkdirSync(cut, { recursive: true })
    for (const name of ['carepath.db', 'carepath.keys.json', 'audit-anchor.jsonl'])
      copyFileSync(join(data, name), join(cut, name))
    const sql = new Database(join(cut, 'carepath.db'))
    sql.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)')
    sql.close()
    const truncated = await cli(['audit', 'verify', '--data', cut])
    expect(truncated.status).toBe(1)
    expect(truncated.stdout).toMatch(/BROKEN at record 3: the trail ends at record 2, .* 1 record was cut from its end/)
  })

  it('audit archive writes a signed archive that audit verify --archive checks offline, and a tampered copy fails', async () => {
    const data = join(dir, 'users')
    const archive = join(dir, 'trail.archive.json')
    const written = await cli(['audit', 'archive', '--data', data, '--out', archive])
    expect(written.status).toBe(0)
    expect(written.stdout).toMatch(/audit records 1\.\.\d+ and 0 runs, signed/)
    expect((await cli(['audit', 'archive', '--data', data, '--out', archive])).stderr).toMatch(/never overwritten/)
    // Offline: no database, only the key file, or only the public key it prints.
    const keys = join(data, 'carepath.keys.json')
    const checked = await cli(['audit', 'verify', '--archive', archive, '--keys', keys])
    expect(checked.stdout).toMatch(/Archive intact: \d+ records/)
    expect(checked.status).toBe(0)
    const pem = join(dir, 'audit.pub.pem')
    writeFileSync(pem, (await cli(['audit', 'public-key', '--keys', keys])).stdout)
    expect((await cli(['audit', 'verify', '--archive', archive, '--public-key', pem])).status).toBe(0)
    const forged = join(dir, 'forged.archive.json')
    // One record's role changed from auditor to admin, straight in the file's text.
    const original = readFileSync(archive, 'utf8')
    const edited = original.replace('\\"role\\":\\"auditor\\"', '\\"role\\":\\"admin\\"')
    expect(edited).not.toBe(original)
    writeFileSync(forged, edited)
    const refused = await cli(['audit', 'verify', '--archive', forged, '--public-key', pem, '--json'])
    expect(refused.status).toBe(1)
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      problems: ['The content does not match its signed digest: the archive was altered.'],
    })
  })
})

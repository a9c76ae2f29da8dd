// `carepath token create`: the token is printed once on stdout and works for the named person with
// exactly the scopes asked; unknown scopes and people are one plain line each, making nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRuntime } from '../runtime.ts'
import { CliError } from './cli-io.ts'
import { run } from './token.command.ts'

describe('carepath token create', () => {
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-token-'))
    const runtime = await createRuntime({ dataDir: dir })
    await runtime.auth.addUser(
      { username: 'ci-analyst', password: 'a long enough test password', role: 'analyst' },
      { who: 'test', role: 'system' },
    )
    await runtime.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('prints a token that acts for the person with the scopes asked, and audits it', async () => {
    const printed: unknown[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => printed.push(line))
    const told = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const args = ['create', 'ci-analyst', '--name', 'ci', '--scopes', 'flows:read,flows:write', '--data', dir]
      expect(await run(args)).toBe(0)
    } finally {
      log.mockRestore()
      told.mockRestore()
    }
    expect(printed).toHaveLength(1)
    const token = String(printed[0])
    expect(token).toMatch(/^cpt_/)
    const runtime = await createRuntime({ dataDir: dir })
    try {
      expect(await runtime.auth.authenticate(token)).toMatchObject({
        username: 'ci-analyst',
        role: 'analyst',
        scopes: ['flows:read', 'flows:write'],
      })
      const created = (await runtime.audit.list({ limit: 50 })).items.filter((i) => i.record.action === 'token.create')
      expect(created.map((i) => i.record.agent.who)).toEqual(['carepath-cli'])
    } finally {
      await runtime.close()
    }
  })

  it('refuses unknown scopes and unknown people with one line', async () => {
    const failure = (args: string[]) =>
      run([...args, '--data', dir]).then(
        () => 'succeeded',
        (e: unknown) => (e instanceof CliError ? e.message : 'THROWN'),
      )
    expect(await failure(['create', 'ci-analyst', '--name', 'x', '--scopes', 'flows:admin'])).toMatch(
      /^--scopes takes a comma-separated list of flows:read, flows:write/,
    )
    expect(await failure(['create', 'nobody', '--name', 'x', '--scopes', 'flows:read'])).toBe('No user named "nobody".')
  })
})

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCarepathCli } from '../testing/carepath-cli.ts'
import { CliError } from './cli-io.ts'
import { run, validateFile } from './validate.command.ts'

const root = join(import.meta.dirname, '..', '..', '..', '..')
let dir: string
let out: string[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-validate-'))
  out = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
})
afterEach(() => vi.restoreAllMocks())

const file = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

// A flow made only of node types every installation has (trigger.api, end).
const flow = (nodes: Record<string, unknown> = {}) => ({
  dsl: 'carepath.flow/1',
  id: 'cli-check',
  version: 1,
  title: 'CLI check',
  facts: { type: 'object', properties: {} },
  roles: {},
  start: 'intake',
  nodes: {
    intake: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: [] }, next: { next: 'done' } },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'done' } },
    ...nodes,
  },
})

describe('carepath validate', () => {
  it('exits 0 and prints the hash when every file is valid', async () => {
    expect(await run([file('a.flow.json', flow()), file('b.flow.json', flow())])).toBe(0)
    expect(out).toHaveLength(2)
    expect(out[0]).toMatch(/a\.flow\.json: valid \([0-9a-f]{64}\)$/)
  })

  it('exits 1 and prints file: node <id>: <code>: <sentence> per problem', async () => {
    const broken = file('broken.flow.json', flow({ fax: { type: 'acme.fax', typeVersion: 1, config: {} } }))
    expect(await run([broken])).toBe(1)
    expect(out).toEqual([
      `${broken}: node fax: unknown-node-type: "fax" uses the node type "acme.fax", which is not installed.`,
      `${broken}: node fax: unreachable-node: No path from the start "intake" reaches "fax".`,
    ])
  })

  it('omits "node <id>: " for problems of the whole document', async () => {
    const noStart = file('no-start.flow.json', { ...flow(), start: 'ghost' })
    expect(await run([noStart])).toBe(1)
    expect(out[0]).toBe(`${noStart}: no-start: The start node "ghost" does not exist.`)
  })

  it('--json prints { files: [{ file, valid, hash, problems }] }', async () => {
    const good = file('good.flow.json', flow())
    const bad = file('bad.flow.json', { ...flow(), dsl: 'carepath.flow/7' })
    expect(await run([good, bad, '--json'])).toBe(1)
    const printed = JSON.parse(out.join('\n')) as {
      files: { file: string; valid: boolean; hash: string | null; problems: unknown[] }[]
    }
    expect(printed.files[0]).toMatchObject({ file: good, valid: true, problems: [] })
    expect(printed.files[0]?.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(printed.files[1]).toEqual({
      file: bad,
      valid: false,
      hash: null,
      problems: [
        {
          code: 'unsupported-format',
          severity: 'error',
          nodeId: null,
          path: 'dsl',
          message: expect.stringContaining('carepath.flow/7'),
        },
      ],
    })
  })

  it('refuses bad input with one clear line (exit 2)', async () => {
    await expect(run([join(dir, 'missing.flow.json')])).rejects.toThrow(/cannot read the file/)
    await expect(run([file('text.flow.json', '{ not json')])).rejects.toThrow(/not valid JSON/)
    await expect(run([file('array.json', [1, 2])])).rejects.toThrow(/not a Carepath flow/)
    await expect(run([])).rejects.toBeInstanceOf(CliError)
  })

  it('through the carepath binary: exit codes, and no stack trace on bad input', async () => {
    const cli = (...args: string[]) => runCarepathCli(args, { cwd: root })
    const ok = await cli('validate', file('ok.flow.json', flow()))
    expect(ok.status).toBe(0)
    const invalid = await cli('validate', file('x.flow.json', { ...flow(), start: '' }))
    expect(invalid.status).toBe(1)
    expect(invalid.stdout).toContain('no-start: The flow has no start node')
    const missing = await cli('validate', join(dir, 'nope.flow.json'))
    expect(missing.status).toBe(2)
    expect(missing.stderr.trim().split('\n')).toEqual([
      `carepath validate: ${join(dir, 'nope.flow.json')}: cannot read the file (does it exist?)`,
    ])
    const notJson = await cli('validate', file('bad.json', 'nope'))
    expect(notJson.status).toBe(2)
    expect(notJson.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('the example flows', () => {
  const examples = readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.flow.json'))
    .map((f) => join(root, 'examples', f))

  it('exist', () => expect(examples.length).toBeGreaterThan(0))

  // Node types land one by one; a flow whose types are all installed must be fully valid,
  // and even before that, nothing but a missing type may be wrong with it.
  it.each(examples)('%s has no problem besides node types not installed yet', (path) => {
    const report = validateFile(path)
    expect(report.problems.filter((p) => p.code !== 'unknown-node-type')).toEqual([])
    if (report.problems.length === 0) expect(report.valid).toBe(true)
  })
})

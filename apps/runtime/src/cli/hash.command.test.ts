import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { run } from './hash.command.ts'

let dir: string
let out: string[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-hash-'))
  out = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
})
afterEach(() => vi.restoreAllMocks())

const flow = (outcome = 'done', layout: Record<string, { x: number; y: number }> = {}) => ({
  dsl: 'carepath.flow/1',
  id: 'cli-hash',
  version: 1,
  title: 'CLI hash',
  facts: { type: 'object' },
  roles: {},
  start: 'intake',
  nodes: {
    intake: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: [] }, next: { next: 'done' } },
    done: { type: 'end', typeVersion: 1, config: { outcome } },
  },
  layout,
})

async function hashOf(doc: unknown): Promise<string> {
  const path = join(dir, `${out.length}.flow.json`)
  writeFileSync(path, JSON.stringify(doc))
  expect(await run([path])).toBe(0)
  return out[out.length - 1] as string
}

describe('carepath hash', () => {
  it('prints the content hash; moving nodes keeps it, changing behaviour changes it', async () => {
    const base = await hashOf(flow())
    expect(base).toMatch(/^[0-9a-f]{64}$/)
    expect(await hashOf(flow('done', { intake: { x: 10, y: 20 }, done: { x: 300, y: 20 } }))).toBe(base)
    expect(await hashOf({ ...flow(), title: 'Renamed', version: 2 })).toBe(base)
    expect(await hashOf(flow('self-pay'))).not.toBe(base)
  })

  it('refuses a document that is not a valid flow with one line', async () => {
    const path = join(dir, 'bad.flow.json')
    writeFileSync(path, JSON.stringify({ dsl: 'carepath.flow/1', id: 'x' }))
    await expect(run([path])).rejects.toThrow(
      /bad\.flow\.json: not a valid flow: "version" is required but missing\. \(and \d+ more; run carepath validate/,
    )
    await expect(run([])).rejects.toThrow(/usage: carepath hash FILE/)
  })
})

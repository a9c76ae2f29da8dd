import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { run } from './migrate.command.ts'

let dir: string
let out: string[]
let err: string[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-migrate-'))
  out = []
  err = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line))
})
afterEach(() => vi.restoreAllMocks())

const fixture = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'packages',
  'dsl',
  'fixtures',
  'carepath.flow',
  '1',
  'minimal.flow.json',
)

describe('carepath migrate', () => {
  it('prints the document in the current format, leaving the file alone', async () => {
    const before = readFileSync(fixture, 'utf8')
    expect(await run([fixture])).toBe(0)
    const printed = JSON.parse(out.join('\n')) as { dsl: string; nodes: Record<string, { next: unknown }> }
    expect(printed.dsl).toBe('carepath.flow/1')
    // Defaults the schema fills in are written out.
    expect(printed.nodes['done']?.next).toEqual({})
    expect(err).toEqual([`${fixture}: already current`])
    expect(readFileSync(fixture, 'utf8')).toBe(before)
  })

  it('refuses a newer format with a clear line', async () => {
    const path = join(dir, 'future.flow.json')
    writeFileSync(path, JSON.stringify({ dsl: 'carepath.flow/3', id: 'x' }))
    await expect(run([path])).rejects.toThrow(
      /future\.flow\.json: This flow was written in format carepath\.flow\/3, newer than/,
    )
  })
})

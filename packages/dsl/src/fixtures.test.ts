// Golden fixtures: every document ever written in a released format must keep loading.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CURRENT_FORMAT, CURRENT_FORMAT_VERSION } from './flow.schema.ts'
import { migrateFlow, parseFormat } from './migrate.ts'
import { createNodeRegistry } from './registry.ts'

const root = join(import.meta.dirname, '..', 'fixtures')
const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.flow.json')).sort()

describe('golden fixtures', () => {
  it('hold at least one document per format version', () => {
    for (let version = 1; version <= CURRENT_FORMAT_VERSION; version++) {
      expect(files.some((f) => f.startsWith(join('carepath.flow', String(version)) + '/'))).toBe(true)
    }
  })

  it.each(files)('%s still loads in the current format', (file) => {
    const raw: unknown = JSON.parse(readFileSync(join(root, file), 'utf8'))
    // The folder names the format the file was written in.
    const folderVersion = Number(relative('carepath.flow', file).split('/')[0])
    expect(parseFormat((raw as { dsl?: unknown }).dsl)).toBe(folderVersion)
    const result = migrateFlow(raw, createNodeRegistry([]))
    expect(result.ok ? [] : result.problems).toEqual([])
    expect(result.ok && result.document.dsl).toBe(CURRENT_FORMAT)
  })
})

import { describe, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { batchEach } from './batch-each.node.ts'
import { csvRows } from './csv-rows.ts'

const step = (config: unknown, facts: Record<string, JsonValue>) =>
  batchEach.execute(createFakeContext({ facts }), batchEach.config.parse(config))

const listConfig = { list: 'matches', item: 'patient', position: 'batch.position', limit: 3 }

describe('batch.each', () => {
  it('hands out the items in order, one per visit, then leaves by done', () => {
    const matches = [{ id: 'p1' }, { id: 'p2' }]
    expect(step(listConfig, { matches })).toEqual({
      kind: 'next',
      port: 'item',
      set: { patient: { id: 'p1' }, 'batch.position': 1 },
    })
    expect(step(listConfig, { matches, batch: { position: 1 } })).toEqual({
      kind: 'next',
      port: 'item',
      set: { patient: { id: 'p2' }, 'batch.position': 2 },
    })
    expect(step(listConfig, { matches, batch: { position: 2 } })).toEqual({ kind: 'next', port: 'done' })
  })

  it('treats an absent or empty list as nothing to do', () => {
    expect(step(listConfig, {})).toEqual({ kind: 'next', port: 'done' })
    expect(step(listConfig, { matches: [] })).toEqual({ kind: 'next', port: 'done' })
  })

  it('refuses a list longer than its limit before handing out any item', () => {
    const go = () => step(listConfig, { matches: [1, 2, 3, 4] })
    expect(go).toThrow(NodeError)
    expect(go).toThrow("The list in matches has 4 items, more than this step's limit of 3; none was processed.")
    expect(() => step(listConfig, { matches: 'p1,p2' })).toThrow('The fact matches holds no list to go through.')
  })

  it('goes through the lines of a CSV file as records numbered as in the file', () => {
    const csv = 'mrn,phone\r\nMRN-1,555-0101\r\n"MRN-2","555-0102"\r\n'
    const config = { ...listConfig, list: 'upload.csv', format: 'csv' }
    expect(step(config, { upload: { csv } })).toEqual({
      kind: 'next',
      port: 'item',
      set: { patient: { line: 2, mrn: 'MRN-1', phone: '555-0101' }, 'batch.position': 1 },
    })
    expect(step(config, { upload: { csv }, batch: { position: 1 } })).toMatchObject({
      set: { patient: { line: 3, mrn: 'MRN-2' } },
    })
    expect(() => step(config, { upload: { csv: 42 } })).toThrow('The fact upload.csv holds no CSV text.')
  })

  it('declares what it reads and writes, and asks for three separate facts', () => {
    const config = batchEach.config.parse(listConfig)
    expect(batchEach.reads(config)).toEqual(['matches', 'batch.position'])
    expect(batchEach.writes(config)).toEqual(['patient', 'batch.position'])
    expect(batchEach.ports(config).map((port) => port.name)).toEqual(['item', 'done', 'error'])
    const clashing = batchEach.config.parse({ ...listConfig, item: 'batch' })
    const env = { factsSchema: { type: 'object' as const, properties: {} }, roles: {} }
    expect(batchEach.check?.(clashing, env)).toEqual([
      {
        code: 'invalid-config',
        path: 'position',
        message: 'The position fact must be apart from the item fact (batch).',
      },
    ])
    expect(batchEach.config.safeParse({ ...listConfig, limit: 5_000 }).success).toBe(false)
  })
})

describe('csvRows', () => {
  it('keeps quoted commas, quotes and line breaks, and skips blank lines', () => {
    const text = 'name,note\n"Smith, John","said ""yes""\nthen left"\n\nDoe,ok'
    expect(csvRows(text)).toEqual([
      { line: 2, name: 'Smith, John', note: 'said "yes"\nthen left' },
      { line: 3, name: 'Doe', note: 'ok' },
    ])
    expect(csvRows('')).toEqual([])
  })

  it('names the line that does not fit the header, and refuses unnamed or repeated columns', () => {
    expect(() => csvRows('a,b\n1,2\n3')).toThrow('Line 3 of the CSV file has 1 fields; the first line names 2.')
    expect(() => csvRows('a,,c\n1,2,3')).toThrow("Column 2 of the CSV file's first line has no name.")
    expect(() => csvRows('a,a\n1,2')).toThrow('The CSV file names the column "a" twice.')
    expect(() => csvRows('a\n"open')).toThrow('The CSV file has a quote opened on line 2 that never closes.')
  })
})

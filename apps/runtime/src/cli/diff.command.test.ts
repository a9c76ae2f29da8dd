import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { run } from './diff.command.ts'

let dir: string
let out: string[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-diff-'))
  out = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
})
afterEach(() => vi.restoreAllMocks())

const flow = () => ({
  dsl: 'carepath.flow/1',
  id: 'cli-diff',
  version: 1,
  title: 'CLI diff',
  facts: { type: 'object' },
  roles: {},
  start: 'intake',
  nodes: {
    intake: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: [] }, next: { next: 'done' } } as Record<
      string,
      unknown
    >,
    done: { type: 'end', typeVersion: 1, title: 'Done', config: { outcome: 'done' } } as Record<string, unknown>,
  } as Record<string, Record<string, unknown>>,
  layout: { intake: { x: 0, y: 0 } },
})

function write(name: string, doc: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(doc))
  return path
}

describe('carepath diff', () => {
  const before = () => write('old.flow.json', flow())
  const after = () => {
    const doc = flow()
    doc.version = 2
    doc.layout = { intake: { x: 500, y: 500 } }
    doc.nodes['done'] = { type: 'end', typeVersion: 1, title: 'Finished', config: { outcome: 'booked' } }
    doc.nodes['intake'] = { ...doc.nodes['intake'], next: { next: 'other' } }
    doc.nodes['other'] = { type: 'end', typeVersion: 1, config: { outcome: 'other' } }
    return write('new.flow.json', doc)
  }

  it('prints the changes as sentences', async () => {
    expect(await run([before(), after()])).toBe(0)
    expect(out.join('\n').split('\n')).toEqual([
      // Steps without a title of their own are named by their type and number, never by id.
      'Added node “End 2” (end).',
      '“Finished”: title changed from "Done" to "Finished".',
      '“Finished”: outcome changed from "done" to "booked".',
      'The "next" port of “Trigger API 1” now leads to “End 2” instead of “Finished”.',
    ])
  })

  it('--json gives { added, removed, changed } and edges', async () => {
    expect(await run([before(), after(), '--json'])).toBe(0)
    const diff = JSON.parse(out.join('\n')) as Record<string, unknown>
    expect(diff).toMatchObject({
      added: [{ nodeId: 'other', type: 'end' }],
      removed: [],
      changed: [
        { nodeId: 'done', changes: [{ path: 'title' }, { path: 'config.outcome', before: 'done', after: 'booked' }] },
      ],
      edges: { added: [{ id: 'intake:next->other' }], removed: [{ id: 'intake:next->done' }] },
    })
  })

  it('a layout-only change is no change', async () => {
    const moved = flow()
    moved.layout = { intake: { x: 99, y: 1 } }
    expect(await run([before(), write('moved.flow.json', moved)])).toBe(0)
    expect(out).toEqual(['No changes (layout and revision number aside).'])
  })

  it('needs two files that are flows', async () => {
    await expect(run([before()])).rejects.toThrow(/usage: carepath diff OLD NEW/)
    await expect(run([before(), write('x.json', { hello: 1 })])).rejects.toThrow(/not a Carepath flow/)
  })
})

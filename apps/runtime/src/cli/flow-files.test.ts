import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registry } from '@carepath/catalog'
import { contentHash, validateFlow } from '@carepath/dsl'
import { describe, expect, it } from 'vitest'
import { siblingFlowLoader } from './flow-files.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-flow-files-'))
const child = {
  dsl: 'carepath.flow/1',
  id: 'notify-done',
  version: 1,
  title: 'Done',
  facts: { type: 'object', properties: {} },
  roles: {},
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'done' } },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'done' } },
  },
}
writeFileSync(join(dir, 'notify-done.flow.json'), JSON.stringify(child))
const parent = join(dir, 'parent.flow.json')
const childDocument = validateFlow(child, registry).document
const childHash = childDocument ? contentHash(childDocument) : 'the test child flow is not valid'

describe('siblingFlowLoader', () => {
  it('finds the subflow beside the calling flow by id and content hash, the same document on every call', async () => {
    const load = siblingFlowLoader(parent)
    const first = await load('notify-done', childHash)
    expect(first).toMatchObject({ id: 'notify-done', start: 'start' })
    expect(await load('notify-done', childHash)).toBe(first)
  })

  it('refuses an id or content hash that no file beside the flow has', async () => {
    const other = 'f'.repeat(64)
    await expect(siblingFlowLoader(parent)('notify-done', other)).rejects.toThrow(
      `no notify-done.flow.json with content hash ${other} beside parent.flow.json`,
    )
    await expect(siblingFlowLoader(parent)('other', childHash)).rejects.toThrow('no other.flow.json')
  })
})

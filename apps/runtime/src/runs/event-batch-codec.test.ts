import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { needsRunDictionary, packBatch, runDictionary, unpackBatch, versionDictionary } from './event-batch-codec.ts'

const batch = JSON.stringify([
  {
    seq: 0,
    at: '2026-11-22T11:00:00.000Z',
    type: 'run.started',
    data: { runId: 'r', flowId: 'f', flowHash: 'h', input: { patient: { mrn: 'MRN-1' } } },
  },
  {
    seq: 1,
    at: '2026-11-22T11:00:00.000Z',
    type: 'node.entered',
    nodeId: 'start',
    data: { type: 'trigger.api', visit: 1 },
  },
  { seq: 2, at: '2026-11-22T11:00:00.000Z', type: 'run.ended', data: { status: 'completed', outcome: 'done' } },
])

describe('event batch codec', () => {
  it('packs a batch smaller than deflate alone and unpacks it byte for byte', () => {
    const packed = packBatch(batch)
    expect(packed.length).toBeLessThan(deflateRawSync(batch).length)
    expect(unpackBatch(packed)).toBe(batch)
    // Same batch, same bytes: packing is deterministic.
    expect(packBatch(batch).equals(packed)).toBe(true)
  })

  it('reads a batch stored as JSON text (before packing) as it is', () => {
    expect(unpackBatch(Buffer.from(batch, 'utf8'))).toBe(batch)
  })

  it('refuses a batch packed with a dictionary it does not know, naming it', () => {
    const packed = packBatch(batch)
    packed[1] = 9
    expect(() => unpackBatch(packed)).toThrow(/unknown dictionary \(9\)/)
  })

  it("packs a batch smaller again against its run's dictionary, and needs that dictionary to unpack it", () => {
    const rule = { id: 'high-copay', name: 'Copay above $50', fact: 'eligibility.copay', operator: 'greaterThan' }
    const version = versionDictionary(JSON.stringify({ nodes: { 'cost-check': { config: { rules: [rule] } } } }))
    const hash = 'd9a660d236b0dac28541706212733d614eb2ef066e325064a6e60f369fc86341'
    const runId = '849b88f7-b4a5-4e64-9a4a-d77ea8d4035f'
    const run = runDictionary(version, { id: runId, hash })
    const decided = JSON.stringify([
      {
        seq: 4,
        at: '2026-11-22T11:00:00.000Z',
        type: 'decision',
        nodeId: 'cost-check',
        data: { port: 'ok', explanation: { rules: [{ ...rule, fired: false, seen: 20, result: false }] } },
      },
    ])
    expect(packBatch(decided, run).length).toBeLessThan(packBatch(decided).length)
    expect(unpackBatch(packBatch(decided, run), run)).toBe(decided)
    // The run's id and version hash, as its start event writes them, come from the dictionary too.
    const started = batch.replace('"runId":"r"', `"runId":"${runId}"`).replace('"flowHash":"h"', `"flowHash":"${hash}"`)
    const packed = packBatch(started, run)
    expect(packed.length).toBeLessThan(packBatch(started).length - 40)
    expect(needsRunDictionary(packed)).toBe(true)
    expect(needsRunDictionary(packBatch(batch))).toBe(false)
    expect(unpackBatch(packed, run)).toBe(started)
    expect(() => unpackBatch(packed)).toThrow(/packed against its run's dictionary/)
  })

  it("keeps a long version's last 32 KB, the window deflate reads, the run's words last", () => {
    const long = versionDictionary('x'.repeat(100_000))
    expect(long.bytes.length).toBe(32 * 1024)
    const run = runDictionary(long, { id: 'r', hash: 'h' })
    expect(run.length).toBe(32 * 1024)
    expect(run.toString('utf8').endsWith('"runId":"r","flowHash":"h"')).toBe(true)
    expect(unpackBatch(packBatch(batch, run), run)).toBe(batch)
  })
})

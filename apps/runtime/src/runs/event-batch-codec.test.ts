import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { needsVersion, packBatch, unpackBatch, versionDictionary } from './event-batch-codec.ts'

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

  it("packs a batch smaller again against its version's text, and needs that text to unpack it", () => {
    const rule = { id: 'high-copay', name: 'Copay above $50', fact: 'eligibility.copay', operator: 'greaterThan' }
    const version = versionDictionary(JSON.stringify({ nodes: { 'cost-check': { config: { rules: [rule] } } } }))
    const decided = JSON.stringify([
      {
        seq: 4,
        at: '2026-11-22T11:00:00.000Z',
        type: 'decision',
        nodeId: 'cost-check',
        data: { port: 'ok', explanation: { rules: [{ ...rule, fired: false, seen: 20, result: false }] } },
      },
    ])
    expect(packBatch(decided, version).length).toBeLessThan(packBatch(decided).length)
    expect(unpackBatch(packBatch(decided, version), version)).toBe(decided)
    const packed = packBatch(batch, version)
    expect(needsVersion(packed)).toBe(true)
    expect(needsVersion(packBatch(batch))).toBe(false)
    expect(unpackBatch(packed, version)).toBe(batch)
    expect(() => unpackBatch(packed)).toThrow(/packed against its flow version/)
  })

  it("keeps a long version's last 32 KB, the window deflate reads", () => {
    const long = versionDictionary('x'.repeat(100_000))
    expect(long.bytes.length).toBe(32 * 1024)
    expect(unpackBatch(packBatch(batch, long), long)).toBe(batch)
  })
})

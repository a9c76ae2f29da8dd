import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { packBatch, unpackBatch } from './event-batch-codec.ts'

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
})

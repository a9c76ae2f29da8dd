// How a batch of a run's events is packed before it is sealed: deflate (raw) against a preset
// dictionary of the log's own vocabulary. A run's batch is a dozen small events that repeat the
// same keys, types and explanation shape, and a batch alone is too short for deflate to learn
// them, so the dictionary carries them; a 3.6 KB batch (the eligibility chain's run) packs to 0.8 KB.
// A packed batch starts with a NUL byte and the dictionary's number (a JSON text never starts
// with NUL), so batches stored as plain JSON before packing existed are still read as they are.
import { deflateRawSync, inflateRawSync } from 'node:zlib'

const PACKED = 0
/** The dictionary new batches are packed with. Never edit one in use: add the next and bump this. */
const CURRENT = 1

// Deflate looks back 32 KB and prefers the nearest match: the commonest fragments go last.
// Frozen: every batch packed with dictionary 1 needs exactly these bytes to be read back.
const DICTIONARIES: Record<number, Buffer> = {
  1: Buffer.from(
    [
      '"type":"subflow.started","type":"subflow.ended","type":"wait.started","type":"wait.due",',
      '"type":"task.expired","type":"run.migrated","type":"incident.opened","type":"incident.resolved",',
      '"type":"connector.retry","type":"event.awaited","type":"event.received","type":"facts.set",',
      '"type":"task.answered","answer":{"type":"task.opened","data":{"taskId":"","request":{"role":"',
      '"type":"connector.request","data":{"connector":"","operation":"","attempt":1,"request":{',
      '"type":"connector.response","data":{"status":200,"response":{',
      '"status":"failed","error":{"message":"',
      '"status":"waiting","status":"completed","outcome":"',
      '"missing":true,"expectedFact":"',
      '"operator":"equal","operator":"notEqual","operator":"in","operator":"notIn","operator":"contains",',
      '"operator":"lessThan","operator":"lessThanInclusive","operator":"greaterThanInclusive",',
      '"operator":"exists","operator":"greaterThan",',
      '"type":"decision.table","type":"decision.rules","type":"end","type":"trigger.api","visit":1}},',
      '[{"seq":0,"at":"2026-01-01T00:00:00.000Z","type":"run.started","data":{"runId":"',
      '","flowId":"","flowHash":"","input":{"patient":{"mrn":"","firstName":"","lastName":"","birthDate":"',
      '"},"coverage":{"payerId":"","memberId":"',
      '{"seq":1,"at":"2026-01-01T00:00:00.000Z","type":"node.entered","nodeId":"","data":{"type":"',
      '{"seq":2,"at":"2026-01-01T00:00:00.000Z","type":"node.exited","nodeId":"","data":{"port":"","to":"',
      '{"seq":4,"at":"2026-01-01T00:00:00.000Z","type":"decision","nodeId":"","data":{"port":"',
      '","explanation":{"outcome":"","fired":[],"rules":[{"id":"","name":"","fired":false,"conditions":[',
      '{"path":"all.0","fact":"","operator":"","expected":,"seen":,"result":false}]},',
      '{"path":"any.0","fact":"","operator":"","expected":,"seen":,"result":true}]}]}}},',
      '{"seq":13,"at":"2026-01-01T00:00:00.000Z","type":"run.ended","data":{"status":"completed","outcome":"',
    ].join(''),
  ),
}

/** A batch's JSON text, packed with the current dictionary. */
export function packBatch(json: string): Buffer {
  // An 8 KB window and a small hash table: a batch is a few KB, and zlib's defaults (32 KB, 128 KB
  // of hash) cost more to set up per batch than packing it does, for a few bytes less.
  const body = deflateRawSync(json, { dictionary: DICTIONARIES[CURRENT], level: 6, windowBits: 13, memLevel: 5 })
  return Buffer.concat([Buffer.from([PACKED, CURRENT]), body])
}

/** A stored batch's JSON text: unpacked when it was packed, as it is when stored as JSON. */
export function unpackBatch(bytes: Buffer): string {
  if (bytes[0] !== PACKED) return bytes.toString('utf8')
  const dictionary = DICTIONARIES[bytes[1] ?? -1]
  if (!dictionary) throw new Error(`A run's event batch was packed with an unknown dictionary (${bytes[1]}).`)
  return inflateRawSync(bytes.subarray(2), { dictionary }).toString('utf8')
}

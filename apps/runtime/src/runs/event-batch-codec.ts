// How a batch of a run's events is packed before it is sealed: deflate (raw) against a preset
// dictionary of the log's own vocabulary. A run's batch is a dozen small events that repeat the
// same keys, types and explanation shape, and a batch alone is too short for deflate to learn
// them, so the dictionary carries them; a 3.6 KB batch (the eligibility chain's run) packs to 0.8 KB.
// A run's batch also repeats its flow version's own words (node ids, ports, rule ids and names,
// facts): dictionary 2 puts the version's text before dictionary 1, and takes a third off again.
// A packed batch starts with a NUL byte and the dictionary's number (a JSON text never starts
// with NUL), so batches stored as plain JSON before packing existed are still read as they are.
import { deflateRawSync, inflateRawSync } from 'node:zlib'

const PACKED = 0
/** The dictionary of the vocabulary alone. Never edit one in use: add the next and number it. */
const VOCABULARY = 1
/** The version's text, then dictionary 1 (`versionDictionary`). */
const WITH_VERSION = 2
// 32 KB, deflate's largest window: a version's text is more than the 8 KB the vocabulary needs.
const VERSION_WINDOW_BITS = 15

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

/** A flow version's dictionary: made once per version and handed to every batch of its runs. */
export interface VersionDictionary {
  readonly bytes: Buffer
}

/**
 * Dictionary 2 for a version: `versionText` (the canonical text its content hash names, so the
 * same bytes for as long as the version exists), then dictionary 1, cut to the window's last
 * 32 KB, which is all deflate and inflate use of a longer one.
 */
export function versionDictionary(versionText: string): VersionDictionary {
  const whole = Buffer.concat([Buffer.from(versionText, 'utf8'), DICTIONARIES[VOCABULARY] as Buffer])
  return { bytes: whole.subarray(Math.max(0, whole.length - (1 << VERSION_WINDOW_BITS))) }
}

/** A batch's JSON text, packed against its version's dictionary when there is one, else the vocabulary's. */
export function packBatch(json: string, version?: VersionDictionary): Buffer {
  // A small hash table, and for the vocabulary alone an 8 KB window: a batch is a few KB, and
  // zlib's defaults (32 KB, 128 KB of hash) cost more to set up per batch than packing it does.
  const body = version
    ? deflateRawSync(json, { dictionary: version.bytes, level: 6, windowBits: VERSION_WINDOW_BITS, memLevel: 5 })
    : deflateRawSync(json, { dictionary: DICTIONARIES[VOCABULARY], level: 6, windowBits: 13, memLevel: 5 })
  return Buffer.concat([Buffer.from([PACKED, version ? WITH_VERSION : VOCABULARY]), body])
}

/** Whether a stored batch can only be unpacked with its version's dictionary. */
export const needsVersion = (bytes: Buffer) => bytes[0] === PACKED && bytes[1] === WITH_VERSION

/** A stored batch's JSON text: unpacked when it was packed, as it is when stored as JSON. */
export function unpackBatch(bytes: Buffer, version?: VersionDictionary): string {
  if (bytes[0] !== PACKED) return bytes.toString('utf8')
  const body = bytes.subarray(2)
  if (bytes[1] === WITH_VERSION) {
    if (!version) throw new Error("A run's event batch was packed against its flow version, which was not given.")
    return inflateRawSync(body, { dictionary: version.bytes, windowBits: VERSION_WINDOW_BITS }).toString('utf8')
  }
  const dictionary = DICTIONARIES[bytes[1] ?? -1]
  if (!dictionary) throw new Error(`A run's event batch was packed with an unknown dictionary (${bytes[1]}).`)
  return inflateRawSync(body, { dictionary }).toString('utf8')
}

// How a batch of a run's events is packed before it is sealed: deflate (raw) against a preset
// dictionary of the log's own vocabulary. A run's batch is a dozen small events that repeat the
// same keys, types and explanation shape, and a batch alone is too short for deflate to learn
// them, so the dictionary carries them; a 3.6 KB batch (the eligibility chain's run) packs to 0.8 KB.
// A run's batch also repeats its flow version's own words (node ids, ports, rule ids and names,
// facts) and its own id and version hash: dictionary 2 is the version's text, dictionary 1, then
// the run's id and hash, and takes a third off again.
// A packed batch starts with a NUL byte and the dictionary's number (a JSON text never starts
// with NUL), so batches stored as plain JSON before packing existed are still read as they are.
import { deflateRawSync, inflateRawSync } from 'node:zlib'

const PACKED = 0
/** The dictionary of the vocabulary alone. Never edit one in use: add the next and number it. */
const VOCABULARY = 1
/** The version's text, dictionary 1, the run's id and hash (`runDictionary`). */
const OF_RUN = 2
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

/** A flow version's part of its runs' dictionaries: made once per version. */
export interface VersionDictionary {
  readonly bytes: Buffer
}

const WINDOW = 1 << VERSION_WINDOW_BITS

/**
 * A version's part of dictionary 2: `versionText` (the canonical text its content hash names, so
 * the same bytes for as long as the version exists), then dictionary 1, cut to the window's last
 * 32 KB, which is all deflate and inflate use of a longer one.
 */
export function versionDictionary(versionText: string): VersionDictionary {
  const whole = Buffer.concat([Buffer.from(versionText, 'utf8'), DICTIONARIES[VOCABULARY] as Buffer])
  return { bytes: whole.subarray(Math.max(0, whole.length - WINDOW)) }
}

/** Dictionary 2 for one run: its version's part, then the run's id and version hash as its start event writes them. */
export function runDictionary(version: VersionDictionary, run: { id: string; hash: string }): Buffer {
  const own = Buffer.from(`"runId":"${run.id}","flowHash":"${run.hash}"`, 'utf8')
  const kept = version.bytes.subarray(Math.max(0, version.bytes.length + own.length - WINDOW))
  return Buffer.concat([kept, own])
}

/** A batch's JSON text, packed against its run's dictionary when there is one, else the vocabulary's. */
export function packBatch(json: string, run?: Buffer): Buffer {
  // A small hash table, and for the vocabulary alone an 8 KB window: a batch is a few KB, and
  // zlib's defaults (32 KB, 128 KB of hash) cost more to set up per batch than packing it does.
  const body = run
    ? deflateRawSync(json, { dictionary: run, level: 6, windowBits: VERSION_WINDOW_BITS, memLevel: 5 })
    : deflateRawSync(json, { dictionary: DICTIONARIES[VOCABULARY], level: 6, windowBits: 13, memLevel: 5 })
  return Buffer.concat([Buffer.from([PACKED, run ? OF_RUN : VOCABULARY]), body])
}

/** Whether a stored batch can only be unpacked with its run's dictionary. */
export const needsRunDictionary = (bytes: Buffer) => bytes[0] === PACKED && bytes[1] === OF_RUN

/** A stored batch's JSON text: unpacked when it was packed, as it is when stored as JSON. */
export function unpackBatch(bytes: Buffer, run?: Buffer): string {
  if (bytes[0] !== PACKED) return bytes.toString('utf8')
  const body = bytes.subarray(2)
  if (bytes[1] === OF_RUN) {
    if (!run) throw new Error("A run's event batch was packed against its run's dictionary, which was not given.")
    return inflateRawSync(body, { dictionary: run, windowBits: VERSION_WINDOW_BITS }).toString('utf8')
  }
  const dictionary = DICTIONARIES[bytes[1] ?? -1]
  if (!dictionary) throw new Error(`A run's event batch was packed with an unknown dictionary (${bytes[1]}).`)
  return inflateRawSync(body, { dictionary }).toString('utf8')
}

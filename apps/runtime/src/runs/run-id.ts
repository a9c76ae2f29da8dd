// A new run's id: 22 letters and digits drawn at random (131 bits, more than a UUID's 122), in
// place of a 36-character UUID. A run's id is stored about eight times (its row and key, each
// batch's row and key, the patient index, the audit record, the log itself), so the 14 characters
// saved are a twentieth of what a run stores. Letters and digits only: an id is safe in a URL, a
// file name, an HL7 field or a FHIR id. Runs started before keep their UUIDs; nothing parses an id.
import { pooledRandomBytes } from '../keys/random-pool.ts'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const LENGTH = 22
// 248 is the largest multiple of 62 a byte holds: bytes from it up are skipped, so that every
// letter is equally likely.
const UNBIASED_BELOW = 248

/** `random`: where the bytes come from (the tests give their own). */
export function newRunId(random: (size: number) => Uint8Array = pooledRandomBytes): string {
  let id = ''
  while (id.length < LENGTH)
    for (const byte of random(LENGTH + 8))
      if (byte < UNBIASED_BELOW && id.length < LENGTH) id += ALPHABET[byte % ALPHABET.length]
  return id
}

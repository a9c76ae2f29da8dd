// A new run's id: 22 letters and digits, in place of a 36-character UUID. A run's id is stored
// about eight times (its row and key, each batch's row and key, the audit record, the log itself),
// so the 14 characters saved are a twentieth of what a run stores. Letters and digits only: an id
// is safe in a URL, a file name, an HL7 field or a FHIR id. Runs started before keep their UUIDs;
// nothing parses an id.
//
// It begins with the millisecond the run started, as a ULID or a UUIDv7 does, so runs started
// together sit together in every index keyed by run id: a group commit of ten runs changes one
// page of each such index, not ten scattered ones (each a 4 KB frame in SQLite's WAL, a page
// image in PostgreSQL's). That moment is on the run's record already, to everyone who may see the
// run. The other 13 letters are drawn at random (77 bits), so an id cannot be guessed.
import { pooledRandomBytes } from '../keys/random-pool.ts'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
// The time in base 36 (Number's own toString(36), as notice ids write theirs): digits and small
// letters sort in the same order under every collation a database may compare text by
// (PostgreSQL's en_US sorts 'a' before 'B', C before 'a'). Nine digits count 1.0e14 ms: past the
// year 5000.
const TIME_LENGTH = 9
const RANDOM_LENGTH = 13
// 248 is the largest multiple of 62 a byte holds: bytes from it up are skipped, so that every
// letter is equally likely.
const UNBIASED_BELOW = 248

/** `random` and `now`: where the bytes and the time come from (the tests give their own). */
export function newRunId(
  random: (size: number) => Uint8Array = pooledRandomBytes,
  now: () => number = Date.now,
): string {
  let id = ''
  while (id.length < RANDOM_LENGTH)
    for (const byte of random(RANDOM_LENGTH + 8))
      if (byte < UNBIASED_BELOW && id.length < RANDOM_LENGTH) id += ALPHABET[byte % ALPHABET.length]
  return Math.max(0, Math.floor(now())).toString(36).padStart(TIME_LENGTH, '0') + id
}

// Random bytes for what every run draws (its id, the IV of each value it seals), taken from a
// pool that is refilled 4 KB at a time. Node's randomBytes goes to OpenSSL on each call, about
// 10-15 µs for a few bytes on these machines: a run id and its seals came to 2.5% of an HL7
// message's CPU. The pool's bytes come from the same generator (randomFillSync) and each is handed
// out once, as Node's own randomUUID does with its cache. Keys are still drawn with randomBytes.
import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.allocUnsafeSlow(POOL_BYTES)
let taken = POOL_BYTES

/** `size` fresh random bytes, a copy of the pool's (which are then used up). */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(size))
  if (taken + size > POOL_BYTES) {
    randomFillSync(pool)
    taken = 0
  }
  const bytes = Buffer.from(pool.subarray(taken, taken + size))
  taken += size
  return bytes
}

import { describe, expect, it } from 'vitest'
import { pooledRandomBytes } from './random-pool.ts'

describe('pooledRandomBytes', () => {
  it('hands out each byte once, across refills of the pool', () => {
    // 12-byte draws (an IV) over three refills: 96 random bits repeating would mean a byte reused.
    const seen = new Set<string>()
    for (let i = 0; i < 1100; i++) seen.add(pooledRandomBytes(12).toString('hex'))
    expect(seen.size).toBe(1100)
  })

  it('gives copies: changing one leaves the next draws alone', () => {
    const first = pooledRandomBytes(16)
    const kept = Buffer.from(first)
    first.fill(0)
    const next = pooledRandomBytes(16)
    expect(next.equals(Buffer.alloc(16))).toBe(false)
    expect(kept.equals(Buffer.alloc(16))).toBe(false)
  })

  it('draws sizes beyond the pool directly, and the sizes asked', () => {
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000)
    expect(pooledRandomBytes(0)).toHaveLength(0)
    expect(pooledRandomBytes(4096)).toHaveLength(4096)
  })
})

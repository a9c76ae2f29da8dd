import { describe, expect, it } from 'vitest'
import { newRunId } from './run-id.ts'

describe('run ids', () => {
  it('are 22 letters and digits, and differ', () => {
    const ids = Array.from({ length: 10_000 }, () => newRunId())
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('skips bytes from 248 up, so that every letter is equally likely, and takes the rest modulo 62', () => {
    // 248 to 255 would give letters 0 to 7 a fifth more often than the rest: they are skipped.
    const bytes = [255, 248, 61, 62, 123, 124, 247]
    const random = (size: number) => Uint8Array.from({ length: size }, (_, i) => bytes[i % bytes.length] ?? 0)
    expect(newRunId(random)).toBe('z0z0z'.repeat(4) + 'z0')
  })
})

import { describe, expect, it } from 'vitest'
import { andThen, Eventually, isPromiseLike } from './maybe-promise.ts'

describe('MaybePromise helpers', () => {
  it('tells promises and thenables from values', () => {
    expect(isPromiseLike(Promise.resolve(1))).toBe(true)
    const thenable: unknown = { then: (resolve: (v: number) => void) => resolve(1) }
    const notThenable: unknown = { then: 'not a function' }
    expect(isPromiseLike(thenable)).toBe(true)
    expect(isPromiseLike(notThenable)).toBe(false)
    expect(isPromiseLike(null)).toBe(false)
    expect(isPromiseLike(0)).toBe(false)
  })

  it('andThen runs at once on a value and after settling on a promise', async () => {
    const order: string[] = []
    const now = andThen(2, (v) => {
      order.push('sync')
      return v * 2
    })
    expect(now).toBe(4)
    expect(order).toEqual(['sync'])
    const later = andThen(Promise.resolve(3), (v) => v * 2)
    expect(later).toBeInstanceOf(Promise)
    await expect(later).resolves.toBe(6)
  })

  it('andThen throws a synchronous failure at once and rejects an asynchronous one', async () => {
    expect(() =>
      andThen(1, () => {
        throw new Error('now')
      }),
    ).toThrow('now')
    await expect(andThen(Promise.reject(new Error('later')), () => 1)).rejects.toThrow('later')
  })

  it('Eventually is the promise until it settles, then the value itself', async () => {
    const value = new Eventually(Promise.resolve({ ready: true }))
    const first = value.current()
    expect(first).toBeInstanceOf(Promise)
    await first
    expect(value.current()).toEqual({ ready: true })
  })

  it('Eventually keeps a failed build failing on every read', async () => {
    const value = new Eventually<number>(Promise.reject(new Error('broken')))
    await expect(value.current()).rejects.toThrow('broken')
    await expect(value.current()).rejects.toThrow('broken')
  })
})

import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { end } from './end.node.ts'

describe('end', () => {
  it('ends the run with its outcome and offers no ports', () => {
    const config = end.config.parse({ outcome: 'self-pay', summary: 'Patient pays at the desk.' })
    expect(end.execute(createFakeContext(), config)).toEqual({ kind: 'end', outcome: 'self-pay' })
    expect(end.ports(config)).toEqual([])
  })

  it('refuses an outcome that is not a short code', () => {
    for (const outcome of ['', 'Self Pay', 'eligible!', '1st']) {
      expect(end.config.safeParse({ outcome }).success, outcome).toBe(false)
    }
  })
})

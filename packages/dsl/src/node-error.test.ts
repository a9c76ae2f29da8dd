// A NodeError made without a stack is the same error to every reader but the stack, and leaves
// the process's stack trace limit as it found it.
import { describe, expect, it } from 'vitest'
import { NodeError } from './node-type.ts'

describe('NodeError.withoutStack', () => {
  it('carries the message, the name and the options, and no stack frames', () => {
    const error = NodeError.withoutStack('The payer answered 503.', { code: 'http-503', retryable: true })
    expect(error).toBeInstanceOf(NodeError)
    expect(error.name).toBe('NodeError')
    expect(error.message).toBe('The payer answered 503.')
    expect(error.options).toEqual({ code: 'http-503', retryable: true })
    expect(error.stack ?? '').not.toMatch(/\n\s+at /)
    expect(new NodeError('with a stack').stack).toMatch(/\n\s+at /)
  })

  it('restores the stack trace limit', () => {
    const before = Error.stackTraceLimit
    NodeError.withoutStack('x')
    expect(Error.stackTraceLimit).toBe(before)
  })
})

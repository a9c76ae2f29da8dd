import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { zodIssuesToProblems } from './zod-problems.ts'

const problemsOf = (schema: z.ZodType, value: unknown, prefix = '') => {
  const parsed = schema.safeParse(value)
  return parsed.success ? [] : zodIssuesToProblems(parsed.error.issues, { prefix })
}

describe('zodIssuesToProblems', () => {
  const schema = z
    .object({
      name: z.string().min(1),
      count: z.number().int().min(1).max(5),
      kind: z.enum(['a', 'b']),
      tags: z.array(z.string()).min(2),
      code: z.string().regex(/^[A-Z]+$/, 'a code is upper-case letters'),
      nested: z.object({ flag: z.boolean() }),
    })
    .strict()

  it('says what is wrong in plain words, with the dotted path', () => {
    const problems = problemsOf(
      schema,
      { name: '', count: 9, kind: 'c', tags: ['x'], code: 'abc', nested: { flag: 'yes' }, extra: 1 },
      'nodes.n.config',
    )
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['nodes.n.config.name', '"nodes.n.config.name" cannot be empty.'],
      ['nodes.n.config.count', '"nodes.n.config.count" must be at most 5.'],
      ['nodes.n.config.kind', '"nodes.n.config.kind" must be one of "a", "b".'],
      ['nodes.n.config.tags', '"nodes.n.config.tags" needs at least 2 items.'],
      ['nodes.n.config.code', '"nodes.n.config.code": a code is upper-case letters.'],
      ['nodes.n.config.nested.flag', '"nodes.n.config.nested.flag" must be a boolean (it is a string).'],
      ['nodes.n.config', '"nodes.n.config" has a field it does not know: "extra".'],
    ])
    expect(problems.every((p) => p.code === 'invalid-document' && p.nodeId === undefined)).toBe(true)
  })

  it('reports missing fields and ties document paths under nodes to their node', () => {
    const problems = problemsOf(z.object({ nodes: z.record(z.string(), z.object({ type: z.string() })) }), {
      nodes: { intake: {} },
    })
    expect(problems).toEqual([
      {
        code: 'invalid-document',
        severity: 'error',
        nodeId: 'intake',
        path: 'nodes.intake.type',
        message: '"nodes.intake.type" is required but missing.',
      },
    ])
  })
})

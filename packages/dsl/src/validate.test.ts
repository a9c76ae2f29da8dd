import { describe, expect, it } from 'vitest'
import { PROBLEM_CODES, type ProblemCode } from './problems.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testRegistry } from './testing/test-registry.ts'
import { validateFlow } from './validate.ts'

type Doc = ReturnType<typeof sampleFlow>
function broken(change: (doc: Doc) => void): ReturnType<typeof validateFlow> {
  const doc = sampleFlow()
  change(doc)
  return validateFlow(doc, testRegistry)
}
const codes = (result: ReturnType<typeof validateFlow>) => result.problems.map((p) => p.code)
const only = (result: ReturnType<typeof validateFlow>, code: ProblemCode) =>
  result.problems.filter((p) => p.code === code)

describe('validateFlow', () => {
  it('accepts the sample flow and applies config defaults only when checking', () => {
    const doc = sampleFlow()
    delete (doc.nodes['check']?.config as Record<string, unknown>)['threshold']
    const result = validateFlow(doc, testRegistry)
    expect(result.problems).toEqual([])
    expect(result.valid).toBe(true)
    expect(result.document?.id).toBe('sample-flow')
  })

  it('invalid-document: reports every shape issue with its path', () => {
    const result = validateFlow(
      { dsl: 'carepath.flow/1', id: 'Bad Id', version: 0, facts: { type: 'object' }, roles: {}, start: 'a', nodes: {} },
      testRegistry,
    )
    expect(result.valid).toBe(false)
    const paths = only(result, 'invalid-document').map((p) => p.path)
    expect(paths).toEqual(expect.arrayContaining(['id', 'version', 'title']))
    expect(result.problems.find((p) => p.path === 'title')?.message).toBe('"title" is required but missing.')
  })

  it('invalid-document: refuses things that are not flows at all', () => {
    expect(codes(validateFlow([1, 2], testRegistry))).toEqual(['invalid-document'])
    expect(codes(validateFlow({ nodes: {} }, testRegistry))).toEqual(['invalid-document'])
    expect(validateFlow({ nodes: {} }, testRegistry).problems[0]?.path).toBe('dsl')
  })

  it('invalid-document: a node id the canvas cannot address', () => {
    const result = broken((d) => {
      d.nodes['9lives'] = { type: 'test.end', typeVersion: 1, config: {}, next: {} }
      d.nodes['ask'] = { ...d.nodes['ask']!, next: { done: '9lives' } }
    })
    expect(only(result, 'invalid-document')).toMatchObject([{ nodeId: '9lives', path: 'nodes.9lives' }])
  })

  it('unsupported-format: a newer format is refused with a clear sentence', () => {
    const result = broken((d) => Object.assign(d, { dsl: 'carepath.flow/2' }))
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'unsupported-format',
        path: 'dsl',
        message: expect.stringContaining('carepath.flow/2'),
      }),
    ])
  })

  it('no-start: start missing, pointing nowhere, or at a non-trigger', () => {
    expect(
      only(
        broken((d) => (d.start = '')),
        'no-start',
      ),
    ).toHaveLength(1)
    expect(
      only(
        broken((d) => (d.start = 'ghost')),
        'no-start',
      )[0]?.message,
    ).toContain('"ghost" does not exist')
    const notTrigger = only(
      broken((d) => (d.start = 'check')),
      'no-start',
    )
    expect(notTrigger).toMatchObject([{ path: 'start', nodeId: 'check' }])
  })

  it('several-starts: a second trigger node', () => {
    const result = broken((d) => {
      d.nodes['again'] = { type: 'test.trigger', typeVersion: 1, config: {}, next: { default: 'check' } }
    })
    expect(only(result, 'several-starts')).toMatchObject([{ nodeId: 'again', path: 'nodes.again' }])
  })

  it('unreachable-node: a node no path reaches', () => {
    const result = broken((d) => {
      d.nodes['orphan'] = { type: 'test.end', typeVersion: 1, config: {}, next: {} }
    })
    expect(only(result, 'unreachable-node')).toMatchObject([{ nodeId: 'orphan', path: 'nodes.orphan' }])
  })

  it('edge-to-missing-node: a port leading to a node that does not exist', () => {
    const result = broken((d) => (d.nodes['check']!.next['low'] = 'nowhere'))
    expect(only(result, 'edge-to-missing-node')).toMatchObject([{ nodeId: 'check', path: 'nodes.check.next.low' }])
  })

  it('unknown-port: a port the type does not offer for this config', () => {
    const result = broken((d) => (d.nodes['check']!.next['medium'] = 'done'))
    const [found] = only(result, 'unknown-port')
    expect(found).toMatchObject({ nodeId: 'check', path: 'nodes.check.next.medium' })
    expect(found?.message).toContain('"high", "low", "error"')
  })

  it('missing-required-port: an outcome with no edge (optional ports may stay open)', () => {
    const result = broken((d) => delete d.nodes['check']!.next['low'])
    expect(only(result, 'missing-required-port')).toMatchObject([{ nodeId: 'check', path: 'nodes.check.next.low' }])
  })

  it('unbounded-cycle: a loop with no maxVisits, accepted once bounded', () => {
    const loop = (d: Doc) => (d.nodes['ask']!.next['done'] = 'check')
    const result = broken(loop)
    expect(only(result, 'unbounded-cycle')).toMatchObject([{ nodeId: 'ask', path: 'nodes.ask.maxVisits' }])
    expect(only(result, 'unbounded-cycle')[0]?.message).toContain('"ask", "check"')
    const bounded = broken((d) => {
      loop(d)
      d.nodes['check']!.maxVisits = 3
    })
    expect(bounded.problems).toEqual([])
  })

  it('unbounded-cycle: a node leading to itself', () => {
    const result = broken((d) => {
      d.nodes['check']!.next['low'] = 'check'
    })
    expect(only(result, 'unbounded-cycle')).toMatchObject([{ nodeId: 'check' }])
  })

  it('unknown-fact-path: reads and writes checked against the facts schema, pointing into the config', () => {
    const result = broken((d) => {
      d.nodes['check']!.config['fact'] = 'balance'
      d.nodes['ask']!.config['answerInto'] = 'patient.reply'
    })
    expect(only(result, 'unknown-fact-path')).toMatchObject([
      { nodeId: 'check', path: 'nodes.check.config.fact', message: expect.stringContaining('"balance"') },
      { nodeId: 'ask', path: 'nodes.ask.config.answerInto' },
    ])
  })

  it('unknown-role: a human step worked by a role the flow lacks', () => {
    const result = broken((d) => (d.nodes['ask']!.config['role'] = 'nurse'))
    expect(only(result, 'unknown-role')).toMatchObject([{ nodeId: 'ask', path: 'nodes.ask.config.role' }])
  })

  it('phi-not-allowed: a field of a class the role may not see, or unclassified', () => {
    const result = broken(
      (d) =>
        (d.nodes['ask']!.config['shows'] = [
          'patient.name',
          'patient.ssn',
          'amount',
          'unclassified',
          'patient.note',
          'answer',
        ]),
    )
    const found = only(result, 'phi-not-allowed')
    expect(found.map((p) => p.path)).toEqual([
      'nodes.ask.config.shows.1',
      'nodes.ask.config.shows.2',
      'nodes.ask.config.shows.3',
    ])
    expect(found[0]?.message).toContain('identifier')
    expect(found[2]?.message).toContain('no PHI class')
    // The same fields are fine for a role that may see them (the unclassified one never is).
    const billing = broken((d) => {
      d.nodes['ask']!.config['role'] = 'billing'
      d.nodes['ask']!.config['shows'] = ['patient.ssn', 'amount']
    })
    expect(billing.problems).toEqual([])
  })

  it('unknown-node-type: a type nobody registered', () => {
    const result = broken((d) => (d.nodes['ask']!.type = 'acme.fax'))
    expect(only(result, 'unknown-node-type')).toMatchObject([{ nodeId: 'ask', path: 'nodes.ask.type' }])
    // Its ports cannot be checked, but its edges still count for reachability.
    expect(codes(result)).toEqual(['unknown-node-type'])
  })

  it('unknown-type-version: newer than the registry knows; older versions are migrated', () => {
    const result = broken((d) => (d.nodes['check']!.typeVersion = 2))
    expect(only(result, 'unknown-type-version')).toMatchObject([{ nodeId: 'check', path: 'nodes.check.typeVersion' }])
    const legacy = broken((d) => {
      d.nodes['check']!.next['low'] = 'legacy'
      d.nodes['legacy'] = { type: 'test.legacy', typeVersion: 1, config: { limit: 7 }, next: { default: 'done' } }
    })
    expect(legacy.problems).toEqual([])
    expect(legacy.document?.nodes['legacy']).toMatchObject({ typeVersion: 3, config: { range: { min: 7 } } })
  })

  it('invalid-config: config issues mapped under nodes.<id>.config', () => {
    const result = broken((d) => {
      d.nodes['check']!.config['threshold'] = 'lots'
      d.nodes['check']!.config['outcomes'] = []
    })
    expect(only(result, 'invalid-config').map((p) => p.path)).toEqual([
      'nodes.check.config.threshold',
      'nodes.check.config.outcomes',
    ])
    expect(result.problems.every((p) => p.nodeId === 'check' || p.code !== 'invalid-config')).toBe(true)
  })

  it("node type checks (malformed-rule) come back under the node's config path", () => {
    const result = broken((d) => {
      d.nodes['check']!.config['outcomes'] = ['high', 'low', 'high']
    })
    expect(only(result, 'malformed-rule')).toMatchObject([{ nodeId: 'check', path: 'nodes.check.config.outcomes.2' }])
  })

  it('returns all problems at once', () => {
    const result = broken((d) => {
      d.nodes['check']!.next['medium'] = 'nowhere'
      d.nodes['ask']!.config['role'] = 'nurse'
      d.nodes['orphan'] = { type: 'acme.fax', typeVersion: 1, config: {}, next: {} }
    })
    expect(new Set(codes(result))).toEqual(
      new Set(['unknown-port', 'edge-to-missing-node', 'unknown-role', 'unknown-node-type', 'unreachable-node']),
    )
  })

  it('never mutates its input', () => {
    const doc = sampleFlow()
    doc.nodes['check']!.next['low'] = 'legacy'
    doc.nodes['legacy'] = { type: 'test.legacy', typeVersion: 1, config: { limit: 7 }, next: { default: 'done' } }
    const before = structuredClone(doc)
    validateFlow(doc, testRegistry)
    expect(doc).toEqual(before)
  })

  it('every problem code except the decision-table ones is covered above', () => {
    const covered = [
      'invalid-document',
      'unsupported-format',
      'no-start',
      'several-starts',
      'unreachable-node',
      'edge-to-missing-node',
      'unknown-port',
      'missing-required-port',
      'unbounded-cycle',
      'unknown-fact-path',
      'unknown-role',
      'phi-not-allowed',
      'unknown-node-type',
      'unknown-type-version',
      'invalid-config',
      'malformed-rule',
      'connector-not-configured', // plugin.test.ts
      'queue-unworked', // queue-steps.test.ts
      'queue-phi-beyond-clearance', // queue-steps.test.ts
    ]
    // table-* codes come from decision.table's own check(), tested with that node type.
    expect(
      Object.keys(PROBLEM_CODES).filter(
        (c) => !covered.includes(c) && !c.startsWith('table-') && c !== 'duplicate-port',
      ),
    ).toEqual([])
  })
})

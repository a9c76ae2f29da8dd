// Small flows over the test node types, built with a helper so each test reads as its graph.
import type { FlowDocument } from '@carepath/dsl'

type NodeSpec = { type: string; config?: Record<string, unknown>; next?: Record<string, string>; maxVisits?: number }

/** A flow document with the given nodes; `start` is the first node. */
export function testFlow(id: string, nodes: Record<string, NodeSpec>, extra: Partial<FlowDocument> = {}): FlowDocument {
  const entries = Object.entries(nodes)
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title: id,
    facts: { type: 'object', properties: {} },
    roles: { agent: { phi: ['demographic'] } },
    start: entries[0]?.[0] ?? 'start',
    nodes: Object.fromEntries(
      entries.map(([nodeId, spec]) => [
        nodeId,
        {
          type: spec.type,
          typeVersion: 1,
          config: spec.config ?? {},
          next: spec.next ?? {},
          ...(spec.maxVisits ? { maxVisits: spec.maxVisits } : {}),
        },
      ]),
    ),
    ...extra,
  }
}

/** start → fetch(payer) → threshold(amount ≥ 100) → ask (high) / end low; ask → approved/denied. */
export const claimFlow = testFlow('claim', {
  start: { type: 'test.start', next: { default: 'fetch' } },
  fetch: {
    type: 'test.fetch',
    config: { connector: 'payer', idFrom: 'memberId', into: 'coverage' },
    next: { ok: 'amount', error: 'manual' },
  },
  amount: {
    type: 'test.threshold',
    config: { fact: 'amount', min: 100, into: 'band' },
    next: { high: 'ask', low: 'auto' },
  },
  ask: {
    type: 'test.ask',
    config: { role: 'agent', shows: ['amount'], answerInto: 'approved' },
    next: { yes: 'approved', no: 'denied' },
  },
  auto: { type: 'test.end', config: { outcome: 'auto-approved' } },
  approved: { type: 'test.end', config: { outcome: 'approved' } },
  denied: { type: 'test.end', config: { outcome: 'denied' } },
  manual: { type: 'test.end', config: { outcome: 'manual-review' } },
})

/** A fixed clock: every event of a test run has the same stamp unless the test moves it. */
export function fixedClock(at = '2026-01-01T09:00:00.000Z'): { now(): string; set(next: string): void } {
  let current = at
  return { now: () => current, set: (next) => (current = next) }
}

/**
 * A child flow that bands `amount` (≥ 10 is big) and a parent that calls it pinned to `pin`,
 * putting the child's outcome under `result` and ending `subflow-failed` on its error port.
 */
export const subflowTestFlows = {
  child: testFlow('child', {
    start: { type: 'test.start', next: { default: 'band' } },
    band: { type: 'test.threshold', config: { fact: 'amount', min: 10 }, next: { high: 'big', low: 'small' } },
    big: { type: 'test.end', config: { outcome: 'big' } },
    small: { type: 'test.end', config: { outcome: 'small' } },
  }),
  parent: (pin: string): FlowDocument =>
    testFlow('parent', {
      start: { type: 'test.start', next: { default: 'call' } },
      call: {
        type: 'test.sub',
        config: { flowId: 'child', hash: pin, inputFrom: 'amount', into: 'result' },
        next: { done: 'end', error: 'oops' },
      },
      end: { type: 'test.end', config: { outcome: 'ok' } },
      oops: { type: 'test.end', config: { outcome: 'subflow-failed' } },
    }),
}

/**
 * Two versions of a follow-up call, built on the built-in node types: version 2 renames the
 * question node (`call` → `call-patient`) and adds a "wrong number" answer, so a run waiting in
 * version 1 needs a node mapping to move.
 */
export const migrationTestFlows = (() => {
  function followUp(version: 1 | 2): FlowDocument {
    const ask = version === 1 ? 'call' : 'call-patient'
    return {
      dsl: 'carepath.flow/1',
      id: 'follow-up',
      version,
      title: 'Follow-up call',
      facts: {
        type: 'object',
        properties: { reason: { type: 'string', 'x-phi': 'none' }, call: { type: 'string', 'x-phi': 'none' } },
      },
      roles: { nurse: { phi: ['none'] } },
      start: 'start',
      nodes: {
        start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: ask } },
        [ask]: {
          type: 'guide.question',
          typeVersion: 1,
          config: {
            role: 'nurse',
            question: version === 1 ? 'Reached?' : 'Reached the patient?',
            options:
              version === 1
                ? [
                    { value: 'yes', label: 'Yes' },
                    { value: 'no', label: 'No' },
                  ]
                : [
                    { value: 'yes', label: 'Yes' },
                    { value: 'no', label: 'No' },
                    { value: 'wrong-number', label: 'Wrong number' },
                  ],
            into: 'call',
          },
          next: version === 1 ? { yes: 'done', no: 'done' } : { yes: 'done', no: 'done', 'wrong-number': 'fix' },
        },
        done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
        ...(version === 2 ? { fix: { type: 'end', typeVersion: 1, config: { outcome: 'fix-number' }, next: {} } } : {}),
      },
    }
  }

  return { v1: followUp(1), v2: followUp(2) }
})()

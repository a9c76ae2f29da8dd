// A simulation case from a recorded run: its input, the answers its human steps got and the
// responses its connectors returned (so the case replays the run). Values the viewer's role may
// not see arrive redacted; they are left out and listed, so the analyst can fill them in.
import type { JsonValue } from '@carepath/dsl'
import type { RunDetail } from '../api/api-types.ts'
import type { SuiteCaseJson } from './use-suite.ts'

const REDACTED = '[redacted]'

function withoutRedacted(value: JsonValue, path: string, dropped: string[]): JsonValue | undefined {
  if (value === REDACTED) {
    dropped.push(path)
    return undefined
  }
  if (Array.isArray(value)) return value.map((v, i) => withoutRedacted(v, `${path}.${i}`, dropped) ?? null)
  if (value && typeof value === 'object') {
    const out: Record<string, JsonValue> = {}
    for (const [key, v] of Object.entries(value)) {
      const kept = withoutRedacted(v, path ? `${path}.${key}` : key, dropped)
      if (kept !== undefined) out[key] = kept
    }
    return out
  }
  return value
}

export function caseFromRun(run: RunDetail): { suiteCase: SuiteCaseJson; dropped: string[] } {
  const dropped: string[] = []
  const started = run.events.find((e) => e.type === 'run.started')
  const rawInput = ((started?.data as { input?: JsonValue } | undefined)?.input ?? {}) as JsonValue
  const input = (withoutRedacted(rawInput, '', dropped) ?? {}) as Record<string, JsonValue>
  const answers: Record<string, JsonValue> = {}
  const mocks: Record<string, JsonValue> = {}
  for (const event of run.events) {
    const data = (event.data ?? {}) as Record<string, JsonValue>
    if (!event.nodeId) continue
    if (event.type === 'task.answered' && data.answer !== undefined) {
      const answer = withoutRedacted(data.answer, `answers.${event.nodeId}`, dropped)
      if (answer !== undefined) answers[event.nodeId] = answer
    }
    if (event.type === 'connector.response' && data.response !== undefined) {
      const response = withoutRedacted(data.response, `mocks.${event.nodeId}`, dropped)
      if (response !== undefined) mocks[event.nodeId] = response
    }
  }
  const suiteCase: SuiteCaseJson = { id: `run-${run.id.slice(0, 8)}`, name: `from run ${run.id.slice(0, 8)}`, input }
  if (Object.keys(answers).length) suiteCase.answers = answers
  if (Object.keys(mocks).length) suiteCase.mocks = mocks
  if (run.outcome) suiteCase.expect = { outcome: run.outcome }
  return { suiteCase, dropped }
}

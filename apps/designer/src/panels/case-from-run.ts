// A simulation case from a recorded run: its input, the answers its human steps got and the
// responses its connectors returned (so the case replays the run). Values the viewer's role may
// not see arrive redacted; they are left out and listed, so the analyst can fill them in.
import { REDACTED, type JsonValue } from '@carepath/dsl'
import type { RunDetail } from '../api/carepath-api.ts'
import type { SuiteCaseJson } from './suite-cases.ts'

function withoutRedacted(value: JsonValue, path: string, dropped: string[]): JsonValue | undefined {
  if (value === REDACTED) {
    dropped.push(path)
    return undefined
  }
  if (Array.isArray(value)) return value.map((v, i) => withoutRedacted(v, `${path}.${i}`, dropped) ?? null)
  if (value && typeof value === 'object') return membersWithoutRedacted(value, path, dropped)
  return value
}

function membersWithoutRedacted(
  value: { [key: string]: JsonValue },
  path: string,
  dropped: string[],
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {}
  for (const [key, v] of Object.entries(value)) {
    const kept = withoutRedacted(v, path ? `${path}.${key}` : key, dropped)
    if (kept !== undefined) out[key] = kept
  }
  return out
}

export function caseFromRun(run: Pick<RunDetail, 'id' | 'outcome' | 'events'>): {
  suiteCase: SuiteCaseJson
  dropped: string[]
} {
  const dropped: string[] = []
  const started = run.events.find((e) => e.type === 'run.started')
  const input = membersWithoutRedacted(started?.type === 'run.started' ? started.data.input : {}, '', dropped)
  const answers: Record<string, JsonValue> = {}
  const mocks: Record<string, JsonValue> = {}
  for (const event of run.events) {
    if (!event.nodeId) continue
    if (event.type === 'task.answered') {
      const answer = withoutRedacted(event.data.answer, `answers.${event.nodeId}`, dropped)
      if (answer !== undefined) answers[event.nodeId] = answer
    }
    if (event.type === 'connector.response' && 'response' in event.data) {
      const response = withoutRedacted(event.data.response, `mocks.${event.nodeId}`, dropped)
      if (response !== undefined) mocks[event.nodeId] = response
    }
  }
  const suiteCase: SuiteCaseJson = { id: `run-${run.id.slice(0, 8)}`, name: `from run ${run.id.slice(0, 8)}`, input }
  if (Object.keys(answers).length) suiteCase.answers = answers
  if (Object.keys(mocks).length) suiteCase.mocks = mocks
  if (run.outcome) suiteCase.expect = { outcome: run.outcome }
  return { suiteCase, dropped }
}

// A simulation case from a recorded run: its input, the answers its human steps got and the
// responses its connectors returned (so the case replays the run). Values the viewer's role may
// not see arrive redacted: an input field the facts schema types gets a made-up value of that
// type (the case is marked as test data, so the analyst sees it as written in reports); anything
// else is left out and listed, so the analyst can fill it in.
import { REDACTED, type FactSchema, type JsonValue } from '@carepath/dsl'
import type { RunDetail } from '../api/carepath-api.ts'
import { factFields, withValueAt, type FactField } from '../suites/case-form-model.ts'
import type { SuiteCaseJson } from './suite-cases.ts'

/** A made-up value of a field's type: plainly not a person's data. */
export function madeUpValue(field: FactField): JsonValue {
  switch (field.kind) {
    case 'number':
      return 1
    case 'boolean':
      return false
    case 'date':
      return '2000-01-01'
    case 'date-time':
      return '2000-01-01T00:00:00.000Z'
    case 'choice':
      return field.options[0] ?? `test ${field.label}`
    default:
      return `test ${field.label}`
  }
}

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

export function caseFromRun(
  run: Pick<RunDetail, 'id' | 'outcome' | 'events'>,
  facts: FactSchema = { type: 'object', properties: {} },
): {
  suiteCase: SuiteCaseJson
  /** Hidden values left out (answers, responses, fields the schema does not type). */
  dropped: string[]
  /** Hidden input fields given a made-up value. */
  madeUp: string[]
} {
  const hidden: string[] = []
  const started = run.events.find((e) => e.type === 'run.started')
  let input = membersWithoutRedacted(started?.type === 'run.started' ? started.data.input : {}, '', hidden)
  const fields = new Map(factFields(facts).map((f) => [f.path, f]))
  const madeUp: string[] = []
  const dropped: string[] = []
  for (const path of hidden) {
    const field = fields.get(path)
    if (!field) dropped.push(path)
    else {
      input = withValueAt(input, path, madeUpValue(field))
      madeUp.push(path)
    }
  }
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
  const suiteCase: SuiteCaseJson = {
    id: `run-${run.id.slice(0, 8)}`,
    name: `from run ${run.id.slice(0, 8)}`,
    synthetic: true,
    input,
  }
  if (Object.keys(answers).length) suiteCase.answers = answers
  if (Object.keys(mocks).length) suiteCase.mocks = mocks
  if (run.outcome) suiteCase.expect = { outcome: run.outcome }
  return { suiteCase, dropped, madeUp }
}

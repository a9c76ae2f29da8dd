// A flow's test cases as they travel with its draft: one suite in the suite file format
// (`<flow>.suite.json`, the engine's suiteSchema), saved with each revision, so the cases a
// reviewer sees are exactly the ones the analyst saved with the version under review.
import { canonicalJson, toJson, type JsonValue } from '@carepath/dsl'
import { parseSuite } from '@carepath/engine'
import { AppError } from '../errors.ts'

const isRecord = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v)

/**
 * One suite from a flow's stored suites (flows kept several before suites travelled with
 * drafts): the first one's title and clock, every suite's cases in order.
 */
export function mergedSuite(flowId: string, suites: readonly JsonValue[]): JsonValue {
  const first = suites.find(isRecord)
  const cases = suites.flatMap((s) => (isRecord(s) && Array.isArray(s.cases) ? s.cases : []))
  const merged: { [key: string]: JsonValue } = { flow: flowId }
  for (const key of ['title', 'description', 'now'] as const) {
    const value = first?.[key]
    if (typeof value === 'string') merged[key] = value
  }
  merged.cases = cases
  return merged
}

/**
 * A suite sent by an author, checked: it must be a valid suite of this flow (one that names no
 * flow is taken as this flow's). Kept as sent (its key order too) so a suite file pulled back
 * from the server reads like the one pushed.
 */
export function requireSuite(flowId: string, sent: unknown): JsonValue {
  const raw =
    sent !== null && typeof sent === 'object' && !Array.isArray(sent) && !('flow' in sent)
      ? { flow: flowId, ...sent }
      : sent
  const parsed = parseSuite(raw)
  if (!parsed.ok)
    throw new AppError('bad-input', `The test cases are not valid (${parsed.message}).`, { path: 'suite' })
  if (parsed.suite.flow !== flowId)
    throw new AppError('bad-input', `The test cases belong to the flow "${parsed.suite.flow}", not "${flowId}".`, {
      path: 'suite.flow',
    })
  return toJson(raw)
}

/** Whether two stored suites hold the same cases (key order aside). */
export function sameSuite(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

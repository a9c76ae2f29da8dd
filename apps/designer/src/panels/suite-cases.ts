// The simulation cases the designer edits are suite cases as the engine's schema defines them,
// each with an id. They arrive from a flow's stored suites (stored as the author sent them), from
// session storage and from the case editor's JSON, so each is read through that schema.
import type { JsonValue } from '@carepath/dsl'
import { suiteCaseSchema } from '@carepath/engine'
import { z } from 'zod'

const editedCaseSchema = suiteCaseSchema.required({ id: true })

/** One simulation case as the simulator lists, edits and sends it. */
export type SuiteCaseJson = z.infer<typeof editedCaseSchema>

/** JSON Schema of one case, so the case editor marks what keeps an edit from being applied. */
export const caseJsonSchema = z.toJSONSchema(editedCaseSchema, { io: 'input', unrepresentable: 'any' })

/** Whether an edited value is a whole case; the value itself is kept as typed (its key order too). */
export function isSuiteCase(value: unknown): value is SuiteCaseJson {
  return editedCaseSchema.safeParse(value).success
}

/** Cases kept as JSON text (session storage); null when the text is not a list of cases. */
export function casesFromText(text: string): SuiteCaseJson[] | null {
  try {
    return z.array(editedCaseSchema).safeParse(JSON.parse(text)).data ?? null
  } catch {
    return null // not JSON
  }
}

const storedSuiteSchema = z.object({ cases: z.array(z.unknown()).optional() })

/**
 * The cases of a flow's stored suites, numbered `case-<n>` where they have no id. Only the
 * members a suite case has are kept; a stored case that is not a valid case is left out.
 */
export function storedCases(suites: readonly JsonValue[]): SuiteCaseJson[] {
  return suites
    .flatMap((suite) => storedSuiteSchema.safeParse(suite).data?.cases ?? [])
    .flatMap((raw, i) => {
      const parsed = suiteCaseSchema.safeParse(raw)
      if (!parsed.success) return []
      const c = parsed.data
      const out: SuiteCaseJson = { id: c.id ?? `case-${i + 1}`, input: c.input }
      if (c.name) out.name = c.name
      if (c.mocks) out.mocks = c.mocks
      if (c.answers) out.answers = c.answers
      if (c.expect) out.expect = c.expect
      return [out]
    })
}

// The open flow's test cases: the suite saved with its draft (the suite file format), edited
// here and saved with the draft by "Save draft". `dirty` says the cases differ from the saved ones.
import { create } from 'zustand'
import { z } from 'zod'
import { canonicalJson, type JsonValue } from '@carepath/dsl'
import { suiteCaseSchema } from '@carepath/engine'

const editedCaseSchema = suiteCaseSchema.required({ id: true })
/** One test case as the designer edits it (every case has an id). */
export type TestCase = z.infer<typeof editedCaseSchema>

// The rest of a suite file beside its cases, kept as saved so a pulled file reads like the pushed one.
const suiteHeadSchema = z.object({
  $schema: z.string().optional(),
  flow: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  now: z.string().optional(),
})
type SuiteHead = z.infer<typeof suiteHeadSchema>

/** A suite as saved with the draft. */
export type SuiteFile = SuiteHead & { cases: TestCase[] }

/** Whether an edited value is a whole case (the JSON view applies only those). */
export function isTestCase(value: unknown): value is TestCase {
  return editedCaseSchema.safeParse(value).success
}

/** JSON Schema of one case, so the JSON view marks what keeps an edit from being applied. */
export const testCaseJsonSchema = z.toJSONSchema(editedCaseSchema, { io: 'input', unrepresentable: 'any' })

/**
 * The suite saved with a draft (the first of `flows.get`'s suites), read by the suite schema:
 * cases without an id are numbered `case-<n>`; a stored case that is not valid is left out.
 */
export function readSuite(flowId: string, suites: readonly JsonValue[]): SuiteFile {
  const raw = suites[0]
  const head = suiteHeadSchema.safeParse(raw).data ?? { flow: flowId }
  const rawCases = z.object({ cases: z.array(z.unknown()) }).safeParse(raw).data?.cases ?? []
  const cases = rawCases.flatMap((c, i) => {
    const parsed = suiteCaseSchema.safeParse(c)
    return parsed.success ? [{ ...parsed.data, id: parsed.data.id ?? `case-${i + 1}` }] : []
  })
  return { ...head, flow: flowId, cases }
}

interface SuiteState {
  flowId: string | null
  head: SuiteHead
  cases: TestCase[]
  /** Canonical JSON of the suite as last saved or loaded. */
  saved: string
  dirty: boolean
  load(flowId: string, suites: readonly JsonValue[]): void
  setCases(cases: TestCase[]): void
  /** The suite to save or simulate. */
  suite(): SuiteFile
  markSaved(): void
}

export const useSuiteStore = create<SuiteState>()((set, get) => ({
  flowId: null,
  head: { flow: '' },
  cases: [],
  saved: '',
  dirty: false,
  load(flowId, suites) {
    const { cases, ...head } = readSuite(flowId, suites)
    set({ flowId, head, cases, saved: canonicalJson({ ...head, cases }), dirty: false })
  },
  setCases(cases) {
    set({ cases, dirty: canonicalJson({ ...get().head, cases }) !== get().saved })
  },
  suite: () => ({ ...get().head, cases: get().cases }),
  markSaved() {
    set({ saved: canonicalJson(get().suite()), dirty: false })
  },
}))

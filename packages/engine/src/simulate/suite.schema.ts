import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'
const factsSchema = z.record(z.string(), jsonValueSchema)

/**
 * One case of a suite. `mocks` replace connector calls by node id: one response, or an array of
 * responses used in turn (wrap an array response in another array); `{ "$error": "message" }`
 * makes that call fail. `answers` answer human steps by node id the same way (an array is one
 * answer per visit). `expect` is checked against the candidate version.
 */
export const suiteCaseSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'a case id holds letters, digits, . _ : or -')
      .optional()
      .describe('Stable id of the case; `case-<n>` (its position from 1) when absent.'),
    name: z.string().optional(),
    description: z.string().optional(),
    /** Where the case's data comes from (a sample file), for provenance. */
    source: z.string().optional(),
    /**
     * The case's values are made up (test data): the people who may read the suite see them as
     * written in simulation reports, instead of redacted like patient data.
     */
    synthetic: z
      .boolean()
      .optional()
      .describe('Made-up values (test data): shown as written to those who may read the suite.'),
    input: factsSchema,
    mocks: z.record(z.string(), jsonValueSchema).optional(),
    answers: z.record(z.string(), jsonValueSchema).optional(),
    expect: z
      .object({
        outcome: z.string().optional().describe('The outcome the run must end with ("failed" for a failed run).'),
        path: z
          .array(z.string())
          .optional()
          .describe('Nodes the run must pass, in this order (others may come between).'),
      })
      .strict()
      .optional(),
  })
  .strict()
/** A case as simulations use it: every case has an id. */
export type SuiteCase = z.infer<typeof suiteCaseSchema> & { id: string }

/** A simulation suite, kept beside its flow as `<flow>.suite.json`. */
export const suiteSchema = z
  .object({
    $schema: z.string().optional(),
    flow: z.string().min(1).describe('The id of the flow the suite tests.'),
    title: z.string().optional(),
    description: z.string().optional(),
    /** Start time of every case's virtual clock (ISO-8601); timers advance it. */
    now: z.string().datetime().optional(),
    cases: z.array(suiteCaseSchema),
  })
  .strict()
  .superRefine((suite, ctx) => {
    const seen = new Set<string>()
    suite.cases.forEach((c, index) => {
      const id = c.id ?? `case-${index + 1}`
      if (seen.has(id))
        ctx.addIssue({ code: 'custom', path: ['cases', index, 'id'], message: `the case id "${id}" is used twice` })
      seen.add(id)
    })
  })
/** A suite as simulations use it (ids filled in by `parseSuite`). */
export type Suite = Omit<z.infer<typeof suiteSchema>, 'cases'> & { cases: SuiteCase[] }

/** JSON Schema of suite files, for editors and outside tools. */
export function suiteJsonSchema(): unknown {
  return z.toJSONSchema(suiteSchema, { unrepresentable: 'any' })
}

/** Parse a suite; the error names the first problem and where it is. */
export function parseSuite(raw: unknown): { ok: true; suite: Suite } | { ok: false; message: string } {
  const parsed = suiteSchema.safeParse(raw)
  if (parsed.success) {
    const cases = parsed.data.cases.map((c, index) => ({ ...c, id: c.id ?? `case-${index + 1}` }))
    return { ok: true, suite: { ...parsed.data, cases } }
  }
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  return { ok: false, message: `${where}${issue?.message ?? 'not a suite'}` }
}

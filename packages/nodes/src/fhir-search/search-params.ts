// Search parameters as flows write them (a fixed value or one taken from a fact), shared by
// fhir.search and the conditional writes (If-None-Exist, conditional update).
import { z } from 'zod'
import { NodeError, type ExecuteContext } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'

/** One search parameter: a fixed value or a fact's value (with an optional prefix). */
export const searchParamSchema = z.union([
  z
    .object({
      name: z
        .string()
        .regex(/^[a-z_][A-Za-z0-9_:.-]*$/, 'a FHIR search parameter, like identifier or beneficiary')
        .describe('Search parameter, e.g. identifier, beneficiary, status.'),
      value: z.string().min(1).describe('A fixed value, e.g. active.'),
    })
    .strict(),
  z
    .object({
      name: z
        .string()
        .regex(/^[a-z_][A-Za-z0-9_:.-]*$/, 'a FHIR search parameter, like identifier or beneficiary')
        .describe('Search parameter, e.g. identifier, beneficiary, status.'),
      valueFrom: factPathSchema.describe('The fact whose value is searched for.'),
      prefix: z
        .string()
        .max(120)
        .default('')
        .describe('Text put before the fact value, e.g. Patient/ or a code system and |.'),
    })
    .strict(),
])

/** One configured search parameter. */
export type SearchParam = z.infer<typeof searchParamSchema>

/** The facts a list of parameters reads. */
export function searchParamsReads(params: readonly SearchParam[]): string[] {
  return params.flatMap((param) => ('valueFrom' in param ? [param.valueFrom] : []))
}

/** The parameters as `[name, value]` pairs; a fact with no value stops the node (`purpose` ends the sentence). */
export function resolveSearchParams(
  ctx: ExecuteContext,
  params: readonly SearchParam[],
  purpose: string,
): [string, string][] {
  return params.map((param) => {
    if ('value' in param) return [param.name, param.value]
    const value = ctx.get(param.valueFrom)
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new NodeError(`The fact ${param.valueFrom} holds no value to ${purpose}.`, { code: 'missing-input' })
    }
    return [param.name, `${param.prefix}${value}`]
  })
}

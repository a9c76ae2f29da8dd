// The "fhir" connector protocol shared by the fhir.* nodes and notify.
// Nodes only describe the request; the runtime's adapter owns the base URL and credentials per
// environment and answers with the HTTP status and the resource (or Bundle / OperationOutcome).
import { z } from 'zod'
import {
  FACT_NAME_PATTERN,
  NodeError,
  type ConfigProblem,
  type ExecuteContext,
  type JsonValue,
  type PhiClass,
} from '@carepath/dsl'
import type { FhirPathAtom } from '@medplum/core'
import { compileFhirPath, evaluateFhirPath } from '../assign/fhirpath.ts'

/** A FHIR R4 resource type name (`Patient`, `Coverage`, ...). */
export const resourceTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Za-z]{1,63}$/, 'a FHIR resource type, like Patient')
  .describe('The FHIR resource type, e.g. Patient or Coverage.')

/** Fact names below `into` mapped to FHIRPath expressions evaluated on the resource. */
export const extractSchema = z
  .record(z.string().regex(FACT_NAME_PATTERN, 'a fact name, like birthDate'), z.string().min(1))
  .default({})
  .describe(
    'Facts to take from the resource: name → FHIRPath on the resource (e.g. birthDate → birthDate). Empty keeps the whole resource.',
  )

/** What the fhir adapter is asked. */
export type FhirConnectorRequest =
  | { op: 'read'; resourceType: string; id: string }
  | { op: 'search'; resourceType: string; params: [string, string][] }
  | { op: 'create'; resource: { [key: string]: JsonValue }; ifNoneExist?: [string, string][] }
  | {
      op: 'update'
      resource: { [key: string]: JsonValue }
      /** The version the flow last saw (sent as `If-Match: W/"…"`); a newer one answers 412. */
      ifMatch?: string
      /** Conditional update: the resource that matches these replaces `resource.id`. */
      match?: [string, string][]
    }
  | { op: 'patch'; resourceType: string; id: string; patch: JsonPatchOperation[]; ifMatch?: string }
  | { op: 'bundle'; type: 'transaction' | 'batch'; entry: { [key: string]: JsonValue }[] }
  /** FHIRPath Patch: `parameters` is the Parameters resource of its operations. */
  | {
      op: 'fhirpathPatch'
      resourceType: string
      id: string
      parameters: { [key: string]: JsonValue }
      ifMatch?: string
    }

/** One RFC 6902 JSON Patch operation. */
export type JsonPatchOperation = { [key: string]: JsonValue } & { op: string; path: string }

const resourceSchema = z.looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/) })
const responseSchema = z.object({ status: z.number().int(), resource: resourceSchema.optional() })

/** The adapter's answer after shape checks. */
export interface FhirConnectorResponse {
  status: number
  resource?: { resourceType: string; [key: string]: unknown } | undefined
}

/** Every class of patient data a FHIR resource may hold. */
export const FHIR_PHI: readonly PhiClass[] = [
  'identifier',
  'demographic',
  'contact',
  'coverage',
  'clinical',
  'financial',
  'sensitive',
]

/**
 * Call the fhir connector. Transport failures come back from the engine as NodeErrors with the
 * adapter's plain message; anything that is not a FHIR answer becomes one here.
 */
export async function callFhir(ctx: ExecuteContext, request: FhirConnectorRequest): Promise<FhirConnectorResponse> {
  let raw: JsonValue
  try {
    raw = await ctx.call('fhir', request)
  } catch (error) {
    if (error instanceof NodeError) throw error
    throw new NodeError('The FHIR server could not be reached.', { code: 'connector-failed', retryable: true })
  }
  const parsed = responseSchema.safeParse(raw)
  if (!parsed.success)
    throw new NodeError('The FHIR server sent an answer that is not a FHIR resource.', { code: 'invalid-response' })
  return parsed.data
}

/** A plain sentence for a FHIR status the node does not route (no resource content, so no PHI). */
export function fhirStatusError(status: number, action: string): NodeError {
  const retryable = status === 429 || status >= 500
  return new NodeError(`The FHIR server answered ${status} to ${action}.`, { code: `fhir-${status}`, retryable })
}

/** Compiled FHIRPath expressions of an `extract` map (compiled once per node via ctx.memo). */
export type CompiledExtract = [name: string, atom: FhirPathAtom][]

export function compileExtract(extract: Record<string, string>): CompiledExtract {
  return Object.entries(extract).map(([name, expression]) => {
    const compiled = compileFhirPath(expression)
    if ('problem' in compiled)
      throw new NodeError(`The expression for ${name} cannot be used: ${compiled.problem}`, { code: 'invalid-config' })
    return [name, compiled.atom]
  })
}

/** Config problems of an extract map, for `check`. */
export function extractProblems(extract: Record<string, string>): ConfigProblem[] {
  return Object.entries(extract).flatMap(([name, expression]) => {
    const compiled = compileFhirPath(expression)
    return 'problem' in compiled
      ? [{ code: 'invalid-config' as const, path: `extract.${name}`, message: compiled.problem }]
      : []
  })
}

function toJson(value: unknown): JsonValue {
  if (value === undefined) return null
  return JSON.parse(JSON.stringify(value)) as JsonValue
}

/** The facts a resource yields: the whole resource, or one value (or list) per extract entry. */
export function extractFacts(resource: object, compiled: CompiledExtract, now: string): JsonValue {
  if (compiled.length === 0) return toJson(resource)
  const out: { [key: string]: JsonValue } = {}
  for (const [name, atom] of compiled) {
    const values = evaluateFhirPath(atom, resource as Record<string, JsonValue>, now)
    out[name] = values.length === 0 ? null : values.length === 1 ? toJson(values[0]) : values.map(toJson)
  }
  return out
}

/** `writes` for a node that puts a resource (or its extract) at `into`. */
export function extractWrites(into: string, extract: Record<string, string>): string[] {
  const names = Object.keys(extract)
  return names.length === 0 ? [into] : names.map((name) => `${into}.${name}`)
}

/** Spread an extract result into `set` entries matching `extractWrites`. */
export function extractSet(into: string, value: JsonValue, extract: Record<string, string>): Record<string, JsonValue> {
  if (Object.keys(extract).length === 0 || value === null || typeof value !== 'object' || Array.isArray(value))
    return { [into]: value }
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [`${into}.${name}`, v]))
}

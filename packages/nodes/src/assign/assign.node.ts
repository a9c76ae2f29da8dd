import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { compileFhirPath, evaluateFhirPath, fhirPathRoots } from './fhirpath.ts'

const target = factPathSchema.describe('The fact to set.')

export const assignmentSchema = z.union([
  z
    .object({
      path: target,
      value: jsonValueSchema.describe('A literal value (text, number, yes/no, list or object).'),
    })
    .strict(),
  z
    .object({ path: target, from: factPathSchema.describe('Copy the value of this fact (null when it is absent).') })
    .strict(),
  z
    .object({
      path: target,
      fhirpath: z
        .string()
        .min(1)
        .describe(
          "A FHIRPath expression over the facts, e.g. patient.name.where(use = 'official').given.first(). now() and today() use the run’s clock.",
        ),
      result: z
        .enum(['single', 'list'])
        .default('single')
        .describe('single: the one value (null when none; more than one is an error). list: every value, as a list.'),
    })
    .strict(),
])
export type Assignment = z.infer<typeof assignmentSchema>

export const assignConfigSchema = z
  .object({
    assignments: z
      .array(assignmentSchema)
      .describe('Facts to set. Each reads the facts as they were when the step began, so order does not matter.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const paths = config.assignments.map((assignment) => assignment.path)
    paths.forEach((path, index) => {
      const clash = paths.find(
        (other, otherIndex) =>
          otherIndex < index && (other === path || path.startsWith(`${other}.`) || other.startsWith(`${path}.`)),
      )
      if (clash !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['assignments', index, 'path'],
          message: `"${path}" is also set by the assignment to "${clash}"`,
        })
      }
    })
    config.assignments.forEach((assignment, index) => {
      if (!('fhirpath' in assignment)) return
      const compiled = compileFhirPath(assignment.fhirpath)
      if ('problem' in compiled)
        ctx.addIssue({ code: 'custom', path: ['assignments', index, 'fhirpath'], message: compiled.problem })
    })
  })
export type AssignConfig = z.infer<typeof assignConfigSchema>

/** A FHIRPath result as a fact value: only JSON goes into facts. */
function toFactValue(value: unknown, path: string): JsonValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new NodeError(`The FHIRPath expression for ${path} did not give a usable number.`, {
      code: 'fhirpath-result',
    })
  }
  if (value === undefined) return null
  return JSON.parse(JSON.stringify(value)) as JsonValue
}

/** Sets facts from literals, other facts or FHIRPath expressions. */
export const assign = defineNodeType({
  type: 'assign',
  typeVersion: 1,
  title: 'Set facts',
  description: 'Sets facts from fixed values, other facts or FHIRPath expressions.',
  category: 'Data',
  icon: '=',
  keywords: ['set', 'variable', 'map', 'transform', 'fhirpath', 'expression', 'copy'],
  config: assignConfigSchema,
  defaults: { assignments: [] },
  // FHIRPath can fail on a run's facts (several values for one fact, a type error): such a
  // step may route failures on an `error` edge instead of failing the run.
  ports: (config) => [
    { name: 'next', required: true, title: 'Done' },
    ...(config.assignments.some((assignment) => 'fhirpath' in assignment)
      ? [{ name: 'error', required: false, title: 'Failed' }]
      : []),
  ],
  reads: (config) => {
    const reads = new Set<string>()
    for (const assignment of config.assignments) {
      if ('from' in assignment) reads.add(assignment.from)
      if ('fhirpath' in assignment) {
        const compiled = compileFhirPath(assignment.fhirpath)
        if ('atom' in compiled) fhirPathRoots(compiled.atom).forEach((root) => reads.add(root))
      }
    }
    return [...reads]
  },
  writes: (config) => config.assignments.map((assignment) => assignment.path),
  phi: [], // moves facts within the run; never shows or sends them
  connectors: [], // calls no connector
  check: (config) =>
    config.assignments.length === 0
      ? [{ code: 'invalid-config', severity: 'warning', path: 'assignments', message: 'This step sets no facts yet.' }]
      : [],
  execute(ctx, config) {
    // Parsed once per (flow version, node) and reused by every run.
    const compiled = ctx.memo(() =>
      config.assignments.map((assignment) =>
        'fhirpath' in assignment ? compileFhirPath(assignment.fhirpath) : undefined,
      ),
    )
    const set: Record<string, JsonValue> = {}
    config.assignments.forEach((assignment, index) => {
      if ('value' in assignment) set[assignment.path] = structuredClone(assignment.value)
      else if ('from' in assignment) set[assignment.path] = structuredClone(ctx.get(assignment.from) ?? null)
      else {
        const expression = compiled[index]
        if (!expression || 'problem' in expression) {
          throw new NodeError(`The FHIRPath expression for ${assignment.path} cannot be used.`, {
            code: 'invalid-config',
          })
        }
        let values: unknown[]
        try {
          values = evaluateFhirPath(expression.atom, ctx.facts, ctx.now())
        } catch {
          // Medplum's messages can quote fact values (PHI); say only where it failed.
          throw new NodeError(`The FHIRPath expression for ${assignment.path} failed on this run's facts.`, {
            code: 'fhirpath-error',
          })
        }
        if (assignment.result === 'list')
          set[assignment.path] = values.map((value) => toFactValue(value, assignment.path))
        else if (values.length > 1) {
          throw new NodeError(
            `The FHIRPath expression for ${assignment.path} gave ${values.length} values; set result to list to keep them all.`,
            {
              code: 'fhirpath-result',
            },
          )
        } else set[assignment.path] = toFactValue(values[0], assignment.path)
      }
    })
    return { kind: 'next', port: 'next', set }
  },
})

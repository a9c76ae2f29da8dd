// The simulator's report as stored with a review: parsed by this schema where it is read back,
// so the review response carries the report's own type (and its redaction policy applies).
import { z } from 'zod'
import { decisionExplanationSchema, jsonValueSchema } from '@carepath/dsl'
import type { SimulationReport } from '@carepath/engine'

const runSummarySchema = z.object({
  status: z.enum(['running', 'waiting', 'completed', 'failed', 'not-run']),
  outcome: z.string().optional(),
  error: z.object({ nodeId: z.string().optional(), message: z.string() }).optional(),
  path: z.array(z.string()),
  waitingAt: z.string().optional(),
})

const decisionSideSchema = z.object({
  outcome: z.string(),
  fired: z.array(z.string()),
  explanation: decisionExplanationSchema,
})

const effectSideSchema = z.object({ nodeId: z.string(), request: jsonValueSchema })

const caseReportSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  source: z.enum(['suite', 'generated', 'recorded']),
  status: z.enum(['unchanged', 'changed', 'failed']),
  expectedChange: z.boolean(),
  outcome: z.string().optional(),
  base: runSummarySchema.optional(),
  candidate: runSummarySchema.optional(),
  changes: z
    .object({
      status: z.object({ base: z.string(), candidate: z.string() }).optional(),
      outcome: z.object({ base: z.string().nullable(), candidate: z.string().nullable() }).optional(),
      path: z.object({ index: z.number(), base: z.string().nullable(), candidate: z.string().nullable() }).optional(),
      decisions: z.array(
        z.object({
          nodeId: z.string(),
          scope: z.string().optional(),
          visit: z.number(),
          base: decisionSideSchema,
          candidate: decisionSideSchema,
        }),
      ),
      facts: z.array(z.object({ path: z.string(), base: jsonValueSchema, candidate: jsonValueSchema })),
      effects: z
        .array(
          z.object({
            kind: z.enum(['task', 'connector']),
            index: z.number(),
            base: effectSideSchema.nullable(),
            candidate: effectSideSchema.nullable(),
          }),
        )
        .optional(),
    })
    .optional(),
  detail: z
    .array(
      z.object({
        nodeId: z.string(),
        scope: z.string().optional(),
        visit: z.number(),
        outcome: z.string(),
        base: z.object({ fired: z.array(z.string()) }),
        candidate: z.object({ fired: z.array(z.string()) }),
      }),
    )
    .optional(),
  probe: z
    .object({
      nodeId: z.string(),
      at: z.enum(['node-entry', 'start']),
      carrier: z.string().optional(),
      set: z.record(z.string(), jsonValueSchema),
    })
    .optional(),
  expectationFailures: z.array(z.string()),
  problems: z.array(z.string()),
})

const coverageItemSchema = z.object({ total: z.number(), covered: z.number(), missed: z.array(z.string()) })
const versionSchema = z.object({ hash: z.string(), version: z.number() })

/** A stored simulation report (the engine's `SimulationReport`). */
export const simulationReportSchema: z.ZodType<SimulationReport> = z.object({
  flow: z.string(),
  base: versionSchema.nullable(),
  candidate: versionSchema,
  summary: z.object({
    cases: z.number(),
    unchanged: z.number(),
    changed: z.number(),
    failed: z.number(),
    unexpected: z.number(),
  }),
  cases: z.array(caseReportSchema),
  coverage: z.object({
    nodes: coverageItemSchema,
    ports: coverageItemSchema,
    rules: coverageItemSchema,
    rows: coverageItemSchema,
    rulesOfUnreachedNodes: z.array(z.string()),
    // Reports stored before conditions were tracked have none.
    conditions: z
      .object({
        total: z.number(),
        covered: z.number(),
        unreached: z.array(z.object({ nodeId: z.string(), node: z.string(), rule: z.string(), condition: z.string() })),
      })
      .optional(),
  }),
  canvas: z.object({
    changedNodes: z.array(z.object({ id: z.string(), cases: z.number() })),
    changedEdges: z.array(
      z.object({
        id: z.string(),
        source: z.string(),
        port: z.string(),
        target: z.string(),
        side: z.enum(['base', 'candidate']),
        cases: z.number(),
      }),
    ),
    unreachedNodes: z.array(z.string()),
  }),
})

// The run viewer's responses, declared part by part.
import type { RunSummaryView, RunView } from '../runs/run-view.ts'
import {
  authored,
  each,
  explanation,
  facts,
  freeText,
  inSubflow,
  object,
  structure,
  type RedactionPolicy,
} from './redaction-policy.ts'
import { runEvents } from './run-events.policy.ts'

/** A run as listed: ids, status, times and who started it. */
const summary: RedactionPolicy<RunSummaryView> = {
  id: structure,
  flowId: structure,
  hash: structure,
  status: structure,
  outcome: structure,
  createdAt: structure,
  updatedAt: structure,
  startedBy: structure,
}
export const runSummaryPolicy = object<RunSummaryView>(summary)

const decision = object<RunView['decisions'][number]>({
  nodeId: structure,
  scope: structure,
  port: structure,
  explanation,
})

export const runViewPolicy = object<RunView>({
  ...summary,
  path: structure,
  ports: structure,
  // A subflow's decision is about the child flow's facts: redacted like the subflow's events.
  decisions: each((d, ctx) => decision(d, d.scope ? inSubflow(ctx) : ctx)),
  facts,
  events: runEvents,
  // The step's title is author text taken from the flow.
  openTask: object({ id: structure, runId: structure, nodeId: structure, role: structure, title: authored }),
  // A node's or connector's failure message may quote patient data.
  error: object({ nodeId: structure, message: freeText }),
  incident: object({
    nodeId: structure,
    openedAt: structure,
    message: freeText,
    connector: structure,
    errorClass: structure,
    attempts: structure,
  }),
  waitUntil: structure,
  tasks: each(
    object({
      id: structure,
      nodeId: structure,
      role: structure,
      status: structure,
      claimedBy: structure,
      answeredBy: structure,
      createdAt: structure,
      answeredAt: structure,
    }),
  ),
})

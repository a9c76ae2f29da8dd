// The run viewer's responses, declared part by part.
import type { RunSummaryView, RunView } from '../runs/run-view.ts'
import {
  authored,
  each,
  explanation,
  facts,
  freeText,
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

export const runViewPolicy = object<RunView>({
  ...summary,
  path: structure,
  ports: structure,
  decisions: each(object({ nodeId: structure, scope: structure, port: structure, explanation })),
  facts,
  events: runEvents,
  // The step's title is author text taken from the flow.
  openTask: object({ id: structure, runId: structure, nodeId: structure, role: structure, title: authored }),
  // A node's or connector's failure message may quote patient data.
  error: object({ nodeId: structure, message: freeText }),
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

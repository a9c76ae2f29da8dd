// Replay on demand: re-execute a stored run from its event log against the version it is pinned
// to and say whether the engine of today produces the same trace, byte for byte. Auditors ask it
// of one run; an upgrade asks it of a sample of stored runs before it ships.
import type { FlowDocument } from '@carepath/dsl'
import { canonicalJson } from '@carepath/dsl'
import { RunRefusedError, type EngineDeps } from './engine-deps.ts'
import type { RunEvent } from './events.ts'
import { foldEvents } from './fold.ts'
import { isJsonRecord } from './facts.ts'
import { jsonCopy } from './json-copy.ts'
import { FlowNotRunnableError, prepareFlow } from './prepare.ts'
import { drive } from './run.ts'

/** The first stored event a replay did not reproduce. */
export interface ReplayDifference {
  /** Its position in the log (seq, from 0). */
  seq: number
  /** The stored event's type and node, when there is a stored event at that position. */
  type?: string
  nodeId?: string
  /** What went different, in a sentence. */
  reason: string
}

/** What a replay found. */
export interface ReplayVerdict {
  identical: boolean
  /** Events in the stored log. */
  events: number
  difference?: ReplayDifference
}

/**
 * What a replay needs of the engine's deps: never connectors, a clock or a sink (nothing may
 * happen). `incidents` as the run had it (the runtime holds failures as incidents; simulations do not).
 */
export type ReplayDeps = Pick<EngineDeps, 'registry' | 'loadFlow' | 'decisionEvaluator' | 'maxSteps' | 'incidents'>

/** Thrown from the replay's event sink: the engine went on past the stored log. */
class BeyondTheLog extends Error {
  constructor(readonly event: RunEvent) {
    super('The replay went on past the end of the stored log.')
  }
}

/**
 * Re-execute a stored run against `flow` (the version it is pinned to; earlier versions of a
 * migrated run come through `deps.loadFlow`). Every node runs again; what the world gave the run
 * (connector responses, people's answers, messages, the times of its events) is taken from the log,
 * and every event the run produces must equal the stored one. Nothing is called, sent or written:
 * a replay that would go on past the log (a run that waited there now would not) is a difference.
 */
export async function replayRun(
  flow: FlowDocument,
  events: readonly RunEvent[],
  deps: ReplayDeps,
): Promise<ReplayVerdict> {
  const verdict = (difference?: ReplayDifference): ReplayVerdict =>
    difference ? { identical: false, events: events.length, difference } : { identical: true, events: events.length }
  const started = events[0]
  if (started?.type !== 'run.started' || !isJsonRecord(started.data.input)) {
    return verdict({ seq: 0, reason: 'The stored log does not start with run.started and its input facts.' })
  }
  let prepared
  try {
    prepared = prepareFlow(flow, deps.registry)
  } catch (error) {
    if (error instanceof FlowNotRunnableError)
      return verdict({ seq: 0, reason: `The pinned version cannot run: ${error.message}` })
    throw error
  }
  const lastAt = events[events.length - 1]?.at ?? started.at
  const engineDeps: EngineDeps = {
    ...deps,
    clock: { now: () => lastAt },
    connectors: {}, // a call past the log is refused at its connector.request, before any adapter
    sleep: async () => {},
    onEvent: (event) => {
      throw new BeyondTheLog(event)
    },
  }
  let replayed: RunEvent[]
  try {
    replayed = await drive(
      prepared,
      jsonCopy(started.data.input),
      engineDeps,
      started.data.runId,
      events,
      undefined,
      {},
    )
  } catch (error) {
    if (error instanceof BeyondTheLog) {
      // A run stopped mid-step (a crash) goes on past its log; that is where it stands, not a difference.
      if (foldEvents(events).status === 'running') return verdict()
      return verdict({
        seq: error.event.seq,
        reason: `The replay went on past the end of the stored log with ${error.event.type}${error.event.nodeId ? ` at node "${error.event.nodeId}"` : ''}.`,
      })
    }
    if (error instanceof RunRefusedError && error.code === 'log-mismatch') {
      const seq = error.seq ?? 0
      const stored = events[seq]
      return verdict({
        seq,
        ...(stored ? { type: stored.type } : {}),
        ...(stored?.nodeId !== undefined ? { nodeId: stored.nodeId } : {}),
        reason: error.message,
      })
    }
    throw error
  }
  // Over the whole log each produced event matched its stored one; the bytes say so too.
  const produced = canonicalJson(replayed)
  const stored = canonicalJson(events)
  if (produced === stored) return verdict()
  const seq = replayed.findIndex((event, index) => canonicalJson(event) !== canonicalJson(events[index] ?? null))
  return verdict({ seq: seq === -1 ? replayed.length : seq, reason: 'The replayed trace differs from the stored one.' })
}

// Replay on demand (auditors, and the check after every upgrade): a stored run re-executes from
// its event log against the version it is pinned to, and the answer says whether the trace is
// byte-identical or names the first event that differs, in the flow's own words.
import type { NodeRegistry } from '@carepath/dsl'
import { replayRun, type ReplayDifference } from '@carepath/engine'
import { AppError } from '../errors.ts'
import type { RunsService } from './runs.service.ts'

/** One run's replay, as an auditor reads it. */
export interface ReplayReport {
  runId: string
  flowId: string
  hash: string
  identical: boolean
  events: number
  /** The first stored event the replay did not reproduce, with the title of its node. */
  difference?: ReplayDifference & { nodeTitle?: string }
}

/** A sample's replays: how many were checked, how many matched, and every run that did not. */
export interface ReplaySampleReport {
  checked: number
  identical: number
  differing: ReplayReport[]
  /** Runs that could not be replayed at all (a purged run's data key is gone), with why. */
  unreadable: { runId: string; reason: string }[]
}

/** Largest sample one call replays (a replay runs every node of the run again). */
export const MAX_REPLAY_SAMPLE = 10_000

export function createReplayService(deps: { runs: RunsService; registry: NodeRegistry }) {
  const { runs, registry } = deps

  async function replay(runId: string): Promise<ReplayReport> {
    const row = await runs.store.runById(runId)
    if (!row) throw new AppError('not-found', `No run with id "${runId}".`, { path: 'id' })
    const events = await runs.store.events(runId)
    // The version the run is on now; a migrated run's earlier versions load by the hashes its log names.
    const flow = await runs.documentFor(row.flow_id, row.hash)
    const verdict = await replayRun(flow, events, {
      registry,
      loadFlow: (flowId, hash) => runs.documentFor(flowId, hash),
      incidents: true, // the runtime holds failures as incidents, so its logs record them
    })
    const report: ReplayReport = { runId, flowId: row.flow_id, hash: row.hash, ...verdict }
    const nodeId = verdict.difference?.nodeId
    if (verdict.difference && nodeId !== undefined) {
      const title = flow.nodes[nodeId]?.title
      report.difference = { ...verdict.difference, ...(title ? { nodeTitle: title } : {}) }
    }
    return report
  }

  /** Replay `count` stored runs picked at random (after an upgrade, before it ships). */
  async function sample(count: number): Promise<ReplaySampleReport> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_REPLAY_SAMPLE) {
      throw new AppError('bad-input', `A sample is 1 to ${MAX_REPLAY_SAMPLE} runs.`, { path: 'count' })
    }
    const result: ReplaySampleReport = { checked: 0, identical: 0, differing: [], unreadable: [] }
    for (const runId of await runs.store.sampleRunIds(count)) {
      let report: ReplayReport
      try {
        report = await replay(runId)
      } catch (error) {
        // One run that cannot be read (purged, its version gone) must not hide the others' answers.
        result.unreadable.push({ runId, reason: error instanceof Error ? error.message : 'it could not be read' })
        continue
      }
      result.checked++
      if (report.identical) result.identical++
      else result.differing.push(report)
    }
    return result
  }

  return { replay, sample }
}
export type ReplayService = ReturnType<typeof createReplayService>

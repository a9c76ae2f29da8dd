// Canary for simulation reports whose cases come from recorded runs: a run recorded in
// production (its input, and a connector failure quoting the patient) replayed against a
// candidate, and the report let out to a reviewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayRecorded, type RecordedRun } from '@carepath/engine'
import { intakeFlow, testRegistry } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { redactionContext } from './redaction-gate.ts'
import { redact } from './redaction-policy.ts'
import { recordedRunsPatientData, reportPatientValues, simulationReportPolicy } from './simulation-report.policy.ts'

const NAME = 'Barnabas Recordingham'
const MRN = 'MRN-REPLAY-730019'

describe('simulation report of recorded runs', () => {
  let t: TestRuntime
  let recorded: RecordedRun[]
  beforeAll(async () => {
    t = await createTestRuntime({
      connectors: {
        echo: async () => {
          throw new Error(`no coverage on file for ${NAME} (${MRN})`)
        },
      },
    })
    const doc = { ...intakeFlow({ withCall: true }), id: 'intake-call' }
    await publishFlow(t, doc)
    const input = { score: 9, patient: { name: NAME, ssn: MRN } }
    const run = await t.as.agent.runs.start({ flowId: 'intake-call', input, idempotencyKey: 'recorded-1' })
    expect(run.status).toBe('incident') // held for an operator: the connector failed on every attempt
    recorded = [{ id: run.id, events: await t.runtime.runs.store.events(run.id) }]
  })
  afterAll(() => t.close())

  it('shows a reviewer the replayed cases without the recorded patient values', async () => {
    const flow = await t.runtime.flowService.get('intake-call')
    const candidate = await t.runtime.flowService.version('intake-call', flow.draft.hash)
    const report = await replayRecorded(candidate, recorded, { registry: testRegistry })
    // Control: the replay quotes the recorded failure, names and all.
    expect(report.cases[0]?.source).toBe('recorded')
    expect(JSON.stringify(report.cases[0]?.problems)).toContain(NAME)

    const reviewer = { role: 'reviewer' as const, flowRoles: [] }
    const patientData = reportPatientValues(report, recordedRunsPatientData(recorded))
    const shown = redact(simulationReportPolicy, report, redactionContext(reviewer, candidate, patientData))
    expect(shown.cases[0]?.problems.join(' ')).toContain('no coverage on file for [redacted] ([redacted])')
    expect(JSON.stringify(shown)).not.toContain(NAME)
    expect(JSON.stringify(shown)).not.toContain(MRN)
    // Structure stays: the case, its source and status (the recorded run failed alike: unchanged).
    expect(shown.cases[0]).toMatchObject({ id: recorded[0]!.id, source: 'recorded', status: 'unchanged' })
    expect(shown.summary).toEqual(report.summary)
  })
})

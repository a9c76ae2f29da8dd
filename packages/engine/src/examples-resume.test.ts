// The example flows, run through the real node types: a run killed after any event resumes from
// its log to the very trace an uninterrupted run writes, and a connector response already in
// the log is never fetched again.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateFlow, type ConnectorAdapter, type FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { caseDeps, parseSuite, resumeRun, startRun, traceOf, type RunEvent, type SuiteCase } from './index.ts'

const examplesDir = fileURLToPath(new URL('../../../examples', import.meta.url))
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.flow.json'))
  .sort()
  .map((name) => {
    const result = validateFlow(JSON.parse(readFileSync(join(examplesDir, name), 'utf8')), registry)
    const suite = parseSuite(
      JSON.parse(readFileSync(join(examplesDir, name.replace('.flow.json', '.suite.json')), 'utf8')),
    )
    return { name, flow: result.valid ? result.document : undefined, cases: suite.ok ? suite.suite.cases : [] }
  })

/** A case's deps with a connector call counter and an optional crash after `cut` new events. */
function depsFor(c: SuiteCase, cut?: number) {
  const { deps, autopilot } = caseDeps(c, { registry })
  const persisted: RunEvent[] = []
  let calls = 0
  const mocked = deps.fallbackConnector as ConnectorAdapter
  deps.fallbackConnector = async (request, meta) => {
    calls++
    return mocked(request, meta)
  }
  deps.onEvent = (event) => {
    if (cut !== undefined && persisted.length === cut) throw new Error('killed')
    persisted.push(event)
  }
  return { deps, autopilot, persisted, calls: () => calls }
}

describe('resuming example runs after a crash', () => {
  for (const example of examples) {
    it.skipIf(!example.flow)(
      `${example.name}: every cut point of its first cases resumes to the same trace`,
      async () => {
        const flow = example.flow as FlowDocument
        let cutsChecked = 0
        for (const c of example.cases.slice(0, 4)) {
          const whole = depsFor(c)
          const reference = await startRun(flow, c.input, whole.deps, { runId: 'run-1', autopilot: whole.autopilot })
          for (let cut = 1; cut < reference.events.length; cut++) {
            const crashing = depsFor(c, cut)
            await expect(
              startRun(flow, c.input, crashing.deps, { runId: 'run-1', autopilot: crashing.autopilot }),
            ).rejects.toThrow('killed')
            const recovering = depsFor(c)
            const resumed = await resumeRun(flow, crashing.persisted, { type: 'continue' }, recovering.deps, {
              autopilot: recovering.autopilot,
            })
            expect(traceOf(resumed.events)).toBe(traceOf(reference.events))
            const responses = crashing.persisted.filter((e) => e.type === 'connector.response').length
            const requests = reference.events.filter((e) => e.type === 'connector.request').length
            expect(recovering.calls()).toBe(requests - responses)
            cutsChecked++
          }
        }
        expect(cutsChecked).toBeGreaterThan(10)
      },
    )
  }
})

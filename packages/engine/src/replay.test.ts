// Replay on demand over the example flows' suite runs: every stored log re-executes to the same
// trace, and a deliberately altered log is caught at the event that was altered (or, for an input
// such as a person's answer, at the first event the alteration changes).
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateFlow, type FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { parseSuite, replayRun, runCase, type RunEvent, type SuiteCase } from './index.ts'

const examplesDir = fileURLToPath(new URL('../../../examples', import.meta.url))

function example(name: string): { flow: FlowDocument; cases: SuiteCase[] } {
  const result = validateFlow(JSON.parse(readFileSync(join(examplesDir, `${name}.flow.json`), 'utf8')), registry)
  const suite = parseSuite(JSON.parse(readFileSync(join(examplesDir, `${name}.suite.json`), 'utf8')))
  if (!result.valid || !result.document || !suite.ok) throw new Error(`the example ${name} does not load`)
  return { flow: result.document, cases: suite.suite.cases }
}

async function storedLog(flow: FlowDocument, c: SuiteCase): Promise<RunEvent[]> {
  const run = await runCase(flow, c, { registry })
  if (!run.state) throw new Error(`case ${c.id} did not run: ${run.problems.join('; ')}`)
  return run.state.events
}

/** A copy of the log with one event's data changed by `edit`. */
function altered(events: RunEvent[], seq: number, edit: (data: Record<string, unknown>) => void): RunEvent[] {
  const copy: RunEvent[] = structuredClone(events)
  const target = copy[seq]
  if (!target) throw new Error(`no event ${seq}`)
  edit(target.data)
  return copy
}

const names = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.flow.json'))
  .map((file) => file.replace('.flow.json', ''))
  .sort()

describe('replaying stored runs', () => {
  it.each(names)('%s: every suite run replays to a byte-identical trace', async (name) => {
    const { flow, cases } = example(name)
    for (const c of cases) {
      const events = await storedLog(flow, c)
      expect(await replayRun(flow, events, { registry }), c.id ?? '').toEqual({
        identical: true,
        events: events.length,
      })
    }
  })

  const nightly = example('nightly-demographic-review')
  const mixed = nightly.cases.find((c) => c.id === 'mixed-night-complete-and-incomplete') as SuiteCase

  it('names the altered decision when a stored decision took another way', async () => {
    const events = await storedLog(nightly.flow, mixed)
    const decisions = events.filter((e) => e.type === 'decision' && e.nodeId === 'check-record')
    const second = decisions[1] as RunEvent
    const tampered = altered(events, second.seq, (data) => {
      data['port'] = 'complete'
    })
    const verdict = await replayRun(nightly.flow, tampered, { registry })
    expect(verdict).toMatchObject({
      identical: false,
      events: events.length,
      difference: { seq: second.seq, type: 'decision', nodeId: 'check-record' },
    })
    expect(verdict.difference?.reason).toContain(`at event ${second.seq} (decision at node "check-record")`)
  })

  it('names the altered fact when a stored batch item was changed', async () => {
    const events = await storedLog(nightly.flow, mixed)
    const item = events.find((e) => e.type === 'facts.set' && e.nodeId === 'each-patient') as RunEvent
    const tampered = altered(events, item.seq, (data) => {
      data['set'] = { patient: { id: 'someone-else' }, 'review.position': 1 }
    })
    expect((await replayRun(nightly.flow, tampered, { registry })).difference).toMatchObject({
      seq: item.seq,
      type: 'facts.set',
      nodeId: 'each-patient',
    })
  })

  it('catches a changed connector response where the run first acts differently on it', async () => {
    const events = await storedLog(nightly.flow, mixed)
    // The search found three patients; the altered log says it found none, which a replay trusts
    // as the world's answer, so the first event it cannot reproduce is the one that follows.
    const response = events.find((e) => e.type === 'connector.response' && e.nodeId === 'find-flagged') as RunEvent
    const tampered = altered(events, response.seq, (data) => {
      data['response'] = { status: 200, resource: { resourceType: 'Bundle', type: 'searchset', entry: [] } }
    })
    const verdict = await replayRun(nightly.flow, tampered, { registry })
    expect(verdict.identical).toBe(false)
    expect(verdict.difference?.seq).toBe(response.seq + 1)
  })

  it("a log with an event missing or one too many differs where the two part; a crashed run's log does not", async () => {
    const events = await storedLog(nightly.flow, mixed)
    const gap = [...events.slice(0, 5), ...events.slice(6).map((e) => ({ ...e, seq: e.seq - 1 }))]
    expect((await replayRun(nightly.flow, gap, { registry })).difference).toMatchObject({ seq: 5 })
    const extra = [...events, { ...structuredClone(events.at(-1) as RunEvent), seq: events.length }]
    expect((await replayRun(nightly.flow, extra, { registry })).difference).toMatchObject({ seq: events.length })
    // Stopped mid-run (no run.ended): everything it wrote replays, and where it stands is no difference.
    const crashed = events.slice(0, -1)
    expect(await replayRun(nightly.flow, crashed, { registry })).toEqual({ identical: true, events: crashed.length })
  })

  it('a log replayed against a version that decides otherwise differs at its run.started', async () => {
    const lab = example('lab-result-routing')
    const draft = validateFlow(
      JSON.parse(readFileSync(join(examplesDir, 'drafts/lab-result-routing.v2.flow.json'), 'utf8')),
      registry,
    )
    if (!draft.valid || !draft.document) throw new Error('the lab draft does not load')
    const events = await storedLog(lab.flow, lab.cases[0] as SuiteCase)
    expect((await replayRun(draft.document, events, { registry })).difference).toMatchObject({
      seq: 0,
      type: 'run.started',
    })
  })
})

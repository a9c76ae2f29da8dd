// The simulator as the review step uses it. The engine's `simulate` (draft vs published, suites
// plus generated cases) is looked up by name; until it is exported, `suiteOnlySimulation` below
// runs the suites' cases through the engine itself and compares outcome and path.
import * as engine from '@carepath/engine'
import { startRun, type RunState } from '@carepath/engine'
import type { ConnectorAdapter, FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { AppError } from '../errors.ts'

export interface SimulationRequest {
  base: FlowDocument | null
  candidate: FlowDocument
  suites: JsonValue[]
  generate: boolean
}

/** Runs the simulator and returns its report (stored with the review request). */
export interface SimulationPort {
  run(request: SimulationRequest): Promise<JsonValue>
}

type EngineSimulate = (base: FlowDocument | null, candidate: FlowDocument, suite: JsonValue, options: { registry: NodeRegistry; generate?: boolean }) => Promise<unknown> | unknown
const exported = engine as unknown as Record<string, unknown>

export function createSimulationPort(registry: NodeRegistry): SimulationPort {
  return {
    async run(request) {
      const simulate = exported.simulate as EngineSimulate | undefined
      const suite = mergeSuites(request.suites, request.candidate.id)
      if (typeof simulate === 'function') {
        const schema = exported.suiteSchema as { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } } | undefined
        const parsed = schema?.safeParse(suite)
        if (parsed && !parsed.success) {
          const issue = parsed.error?.issues[0]
          throw new AppError('bad-input', `The flow's simulation suite is not valid${issue ? ` at ${issue.path.map(String).join('.')}: ${issue.message}` : ''}.`, { path: 'suites' })
        }
        const report = await simulate(request.base, request.candidate, suite, { registry, generate: request.generate })
        return JSON.parse(JSON.stringify(report)) as JsonValue
      }
      return suiteOnlySimulation(request, suite, registry)
    },
  }
}

function mergeSuites(suites: JsonValue[], flowId: string): { flow: string; cases: JsonValue[] } {
  const cases = suites.flatMap((s) => (isRecord(s) && Array.isArray(s.cases) ? s.cases : []))
  return { flow: flowId, cases }
}

const isRecord = (v: unknown): v is Record<string, JsonValue> => v !== null && typeof v === 'object' && !Array.isArray(v)

async function runCase(flow: FlowDocument, testCase: Record<string, JsonValue>, registry: NodeRegistry, index: number): Promise<RunState | { error: string }> {
  const mocks = isRecord(testCase.mocks) ? testCase.mocks : {}
  const answers = isRecord(testCase.answers) ? testCase.answers : {}
  const mock: ConnectorAdapter = async (_request, meta) => {
    if (!Object.hasOwn(mocks, meta.nodeId)) throw new Error(`no mocked response for node "${meta.nodeId}"`)
    return mocks[meta.nodeId] as JsonValue
  }
  const connectors = new Proxy({} as Record<string, ConnectorAdapter>, {
    get: () => mock,
    has: () => true,
    getOwnPropertyDescriptor: () => ({ value: mock, configurable: true, enumerable: true, writable: false }),
  })
  try {
    return await startRun(flow, testCase.input ?? {}, { registry, clock: { now: () => '2026-01-01T00:00:00.000Z' }, connectors }, {
      runId: `case-${index}`,
      autopilot: { answer: (task) => answers[task.nodeId], timers: true },
    })
  } catch (error) {
    return { error: error instanceof Error ? error.message : 'the case could not run' }
  }
}

async function suiteOnlySimulation(request: SimulationRequest, suite: { cases: JsonValue[] }, registry: NodeRegistry): Promise<JsonValue> {
  const cases: JsonValue[] = []
  let unchanged = 0
  let changed = 0
  let failed = 0
  for (const [index, raw] of suite.cases.entries()) {
    const testCase = isRecord(raw) ? raw : {}
    const candidate = await runCase(request.candidate, testCase, registry, index)
    const base = request.base ? await runCase(request.base, testCase, registry, index) : null
    const expect = isRecord(testCase.expect) ? testCase.expect : {}
    const outcomeOf = (r: RunState | { error: string } | null) => (r && 'status' in r ? (r.outcome ?? r.status) : null)
    const pathOf = (r: RunState | { error: string } | null) => (r && 'status' in r ? r.path : [])
    const expectationFailed = typeof expect.outcome === 'string' && outcomeOf(candidate) !== expect.outcome
    const isChanged = base !== null && (outcomeOf(base) !== outcomeOf(candidate) || pathOf(base).join('>') !== pathOf(candidate).join('>'))
    if ('error' in candidate || expectationFailed) failed++
    else if (isChanged) changed++
    else unchanged++
    cases.push({
      name: typeof testCase.name === 'string' ? testCase.name : `case ${index + 1}`,
      status: 'error' in candidate || expectationFailed ? 'failed' : isChanged ? 'changed' : 'unchanged',
      outcome: { base: outcomeOf(base), candidate: outcomeOf(candidate), expected: typeof expect.outcome === 'string' ? expect.outcome : null },
      paths: { base: pathOf(base), candidate: pathOf(candidate) },
      ...('error' in candidate ? { message: candidate.error } : {}),
    })
  }
  return { summary: { cases: cases.length, unchanged, changed, failed }, cases, generated: false, simulator: 'suite-only' }
}

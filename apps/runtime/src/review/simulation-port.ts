// The simulator as the review step uses it: the engine's `simulate` (draft vs published, the
// flow's suites plus generated cases).
import { parseSuite, simulate, type SimulationReport } from '@carepath/engine'
import type { FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { AppError } from '../errors.ts'

export interface SimulationRequest {
  base: FlowDocument | null
  candidate: FlowDocument
  suites: JsonValue[]
  generate: boolean
}

/** Runs the simulator and returns its report (stored with the review request). */
export interface SimulationPort {
  run(request: SimulationRequest): Promise<SimulationReport>
}

export function createSimulationPort(registry: NodeRegistry): SimulationPort {
  return {
    async run(request) {
      // A flow may keep several suites; the simulator takes one, so their cases are merged.
      const cases = request.suites.flatMap((s) =>
        s !== null && typeof s === 'object' && !Array.isArray(s) && Array.isArray(s.cases) ? s.cases : [],
      )
      const parsed = parseSuite({ flow: request.candidate.id, cases })
      if (!parsed.ok)
        throw new AppError('bad-input', `The flow's simulation suite is not valid (${parsed.message}).`, {
          path: 'suites',
        })
      return await simulate(request.base, request.candidate, parsed.suite, { registry, generate: request.generate })
    },
  }
}

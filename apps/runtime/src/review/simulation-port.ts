// The simulator as the review step and the designer use it: the engine's `simulate` (draft vs
// published, the draft's test cases plus generated ones), one function for both, so what the
// analyst saw before submitting is what the reviewer sees. The report's hash names it on both sides.
import { createHash } from 'node:crypto'
import { parseSuite, simulate, type SimulationReport } from '@carepath/engine'
import { canonicalJson, type FlowDocument, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import { AppError } from '../errors.ts'
import { mergedSuite } from '../flows/flow-suite.ts'

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

/** sha256 (hex) of a report's canonical JSON: equal reports, equal hashes, whoever ran them. */
export function reportHash(report: SimulationReport): string {
  return createHash('sha256').update(canonicalJson(report)).digest('hex')
}

export function createSimulationPort(registry: NodeRegistry): SimulationPort {
  return {
    async run(request) {
      // A flow may keep several suites; the simulator takes one, so they are merged (the first
      // one's clock included, so a suite's `now` holds in the review as in the CLI).
      const parsed = parseSuite(mergedSuite(request.candidate.id, request.suites))
      if (!parsed.ok)
        throw new AppError('bad-input', `The flow's simulation suite is not valid (${parsed.message}).`, {
          path: 'suites',
        })
      // Every decision runs on both evaluators (`parity`): the suite's cases and the generated
      // ones prove the compiled form equal to json-rules-engine before the version can be
      // published; where they agree the report is the same bytes as a compiled-only run.
      return await simulate(request.base, request.candidate, parsed.suite, {
        registry,
        generate: request.generate,
        decisionEvaluator: 'parity',
      })
    },
  }
}

// The flow and suite files the CLI commands read, each failure a one-line CliError (exit 2).
// Two ways to load a flow: readFlowDocument upgrades and checks only its shape (hash, diff,
// migrate work on any well-formed version); loadFlowFile requires a valid, runnable flow (run,
// simulate, cases).
import { existsSync, readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { registry } from '../plugins/installed-registry.ts'
import { migrateFlow, validateFlow, type FlowDocument } from '@carepath/dsl'
import { flowHashOf, parseSuite, type Suite } from '@carepath/engine'
import { CliError, readJsonFile } from './cli-io.ts'

/** The raw JSON of a file that claims to be a flow; anything else is a one-line CliError (exit 2). */
export function readFlowJson(file: string): unknown {
  const raw = readJsonFile(file)
  const dsl =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { dsl?: unknown }).dsl : undefined
  if (typeof dsl !== 'string' || !dsl.startsWith('carepath.flow/')) {
    throw new CliError(`${file}: not a Carepath flow (expected a JSON object with "dsl": "carepath.flow/N")`)
  }
  return raw
}

/**
 * Load a flow file upgraded to the current format. A newer format, or a document without the
 * shape of a flow, is one clear line (exit 2); `carepath validate` lists every problem.
 */
export function readFlowDocument(file: string): { document: FlowDocument; applied: string[] } {
  const result = migrateFlow(readFlowJson(file), registry)
  if (result.ok) return { document: result.document, applied: result.applied }
  const [first] = result.problems
  const more =
    result.problems.length > 1 ? ` (and ${result.problems.length - 1} more; run carepath validate ${file})` : ''
  throw new CliError(
    `${file}: ${first?.code === 'unsupported-format' ? '' : 'not a valid flow: '}${first?.message ?? 'unknown problem'}${more}`,
  )
}

/** Read and validate a flow document; any problem is one line and exit 2. */
export function loadFlowFile(file: string): FlowDocument {
  const result = validateFlow(readJsonFile(file), registry)
  if (!result.valid || !result.document) {
    const errors = result.problems.filter((p) => p.severity === 'error')
    const first = errors[0]
    const where = first?.nodeId ? ` (node "${first.nodeId}")` : first?.path ? ` (${first.path})` : ''
    const more = errors.length > 1 ? ` and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''}` : ''
    throw new CliError(`${file}: not a valid flow: ${first?.message ?? 'invalid document'}${where}${more}`)
  }
  return result.document
}

/** Read a suite file; a bad one is one line and exit 2. */
export function loadSuiteFile(file: string): Suite {
  const result = parseSuite(readJsonFile(file))
  if (!result.ok) throw new CliError(`${file}: not a valid suite: ${result.message}`)
  return result.suite
}

/** The suite beside a flow: `x.flow.json` → `x.suite.json`, else `<flow id>.suite.json` in that folder. */
export function suiteBeside(file: string, flow: FlowDocument): string | undefined {
  const candidates = [
    file.replace(/\.flow\.json$/, '.suite.json'),
    join(dirname(file), `${flow.id}.suite.json`),
    join(dirname(dirname(file)), `${flow.id}.suite.json`),
  ]
  return candidates.find((path) => path !== file && existsSync(path))
}

/**
 * Subflows are looked up among the *.flow.json files beside the calling flow, by id and content
 * hash. A subflow found once is kept: a suite calls it in every case, and the same document
 * lets the engine prepare it once instead of re-reading and re-validating the folder each call.
 */
export function siblingFlowLoader(file: string): (flowId: string, hash: string) => Promise<FlowDocument> {
  const found = new Map<string, FlowDocument>()
  return async (flowId, hash) => {
    const key = `${flowId}@${hash}`
    const known = found.get(key)
    if (known) return known
    const dir = dirname(file)
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.flow.json'))
      .sort()) {
      const result = validateFlow(readJsonFile(join(dir, name)), registry)
      if (result.document && result.document.id === flowId && flowHashOf(result.document) === hash) {
        found.set(key, result.document)
        return result.document
      }
    }
    throw new Error(`no ${flowId}.flow.json with content hash ${hash} beside ${basename(file)}`)
  }
}

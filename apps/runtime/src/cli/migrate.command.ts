// `carepath migrate FILE`: print the document upgraded to the current format and node typeVersions.
// Also home of readFlowDocument, the one way the file commands (hash, diff, migrate) load a flow.
import { registry } from '@carepath/catalog'
import { migrateFlow, type FlowDocument } from '@carepath/dsl'
import { CliError, parseArgs, readJsonFile } from './cli-io.ts'

/** The raw JSON of a file that claims to be a flow; anything else is a one-line CliError (exit 2). */
export function readFlowJson(file: string): unknown {
  const raw = readJsonFile(file)
  const dsl = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { dsl?: unknown }).dsl : undefined
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
  const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more; run carepath validate ${file})` : ''
  throw new CliError(`${file}: ${first?.code === 'unsupported-format' ? '' : 'not a valid flow: '}${first?.message ?? 'unknown problem'}${more}`)
}

/** Print the upgraded document as JSON on stdout; the steps applied go to stderr. */
export async function run(args: string[]): Promise<number> {
  const { positionals } = parseArgs(args)
  if (positionals.length !== 1) throw new CliError('usage: carepath migrate FILE')
  const file = positionals[0] as string
  const { document, applied } = readFlowDocument(file)
  console.log(JSON.stringify(document, null, 2))
  console.error(applied.length > 0 ? applied.map((step) => `applied ${step}`).join('\n') : `${file}: already current`)
  return 0
}

// `carepath diff OLD NEW [--json]`: the structural diff of two versions of a flow.
import { diffFlows, isEmptyDiff, summarizeDiff } from '@carepath/dsl'
import { CliError, parseArgs } from './cli-io.ts'
import { readFlowDocument } from './flow-files.ts'

/** Print the diff as sentences, or as `{ added, removed, changed, edges, flow }` with --json. Exit 0. */
export async function run(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { flags: ['json'] })
  if (positionals.length !== 2) throw new CliError('usage: carepath diff OLD NEW [--json]')
  const [before, after] = positionals.map((file) => readFlowDocument(file).document) as [never, never]
  const diff = diffFlows(before, after)
  if (flags.has('json')) console.log(JSON.stringify(diff, null, 2))
  else if (isEmptyDiff(diff)) console.log('No changes (layout and revision number aside).')
  else console.log(summarizeDiff(diff, { before, after }).join('\n'))
  return 0
}

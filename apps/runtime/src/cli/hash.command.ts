// `carepath hash FILE`: print the content hash (what the version does; layout and titles aside).
import { contentHash } from '@carepath/dsl'
import { CliError, parseArgs } from './cli-io.ts'
import { readFlowDocument } from './flow-files.ts'

/** Print the sha256 content hash of the flow, upgraded to the current format first. */
export async function run(args: string[]): Promise<number> {
  const { positionals } = parseArgs(args)
  if (positionals.length !== 1) throw new CliError('usage: carepath hash FILE')
  console.log(contentHash(readFlowDocument(positionals[0] as string).document))
  return 0
}

// `carepath migrate FILE`: print the document upgraded to the current format and node typeVersions.
import { CliError, parseArgs } from './cli-io.ts'
import { readFlowDocument } from './flow-files.ts'

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

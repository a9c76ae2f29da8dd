// `carepath cases FLOW [--suite S.json]`: print the cases the decision nodes generate (every rule
// firing and not, each threshold boundary, missing values) as a suite file. The first case of
// the flow's suite, when there is one, is the base they are laid over (its mocks and answers too).
import { generatedSuite } from '@carepath/engine'
import { registry } from '../plugins/installed-registry.ts'
import { CliError, parseArgs } from './cli-io.ts'
import { loadFlowFile, loadSuiteFile, suiteBeside } from './flow-files.ts'

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, { options: ['suite'] })
  const [file, ...extra] = positionals
  if (!file || extra.length > 0) throw new CliError('usage: carepath cases FLOW [--suite S.json]')
  const flow = loadFlowFile(file)
  const suiteFile = options.get('suite') ?? suiteBeside(file, flow)
  const base = suiteFile ? loadSuiteFile(suiteFile).cases[0] : undefined
  console.log(JSON.stringify(generatedSuite(flow, registry, base), null, 2))
  return 0
}

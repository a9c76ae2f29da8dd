// `carepath pull FLOW… [--out DIR] [--server URL] [--token-file FILE]`: write each flow's draft and
// its test cases from a server into a git checkout, as FLOW.flow.json and FLOW.suite.json — the
// same files the examples are, and the same ones `carepath push` sends back.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CliError, parseArgs } from './cli-io.ts'
import { defaultServerContext, serverClient, type ServerContext } from './server-client.ts'
import { readAnswer, serverFlowSchema } from './server-flow.schema.ts'

const USAGE = 'usage: carepath pull FLOW… [--out DIR] [--server URL] [--token-file FILE]'

/** Two-space JSON and a final newline: what a reviewer reads in a pull request's diff. */
export const flowFileText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

export async function pull(args: string[], context: ServerContext): Promise<number> {
  const { positionals, options } = parseArgs(args, { options: ['out', 'server', 'token-file'] })
  if (positionals.length === 0) throw new CliError(USAGE)
  const client = serverClient(options, context)
  const out = resolve(options.get('out') ?? '.')
  // Everything is read before anything is written: a missing flow leaves the checkout untouched.
  const pulled = []
  for (const id of positionals) {
    const flow = readAnswer(serverFlowSchema, await client.call('GET', `/flows/${encodeURIComponent(id)}`), id)
    const suite = await client.call('GET', `/flows/${encodeURIComponent(id)}/suite`)
    pulled.push({ flow, suite })
  }
  mkdirSync(out, { recursive: true })
  for (const { flow, suite } of pulled) {
    const flowFile = join(out, `${flow.id}.flow.json`)
    const suiteFile = join(out, `${flow.id}.suite.json`)
    writeFileSync(flowFile, flowFileText(flow.draft.document))
    writeFileSync(suiteFile, flowFileText(suite))
    const cases =
      typeof suite === 'object' && suite !== null && 'cases' in suite && Array.isArray(suite.cases)
        ? suite.cases.length
        : 0
    context.print(
      `${flow.id}: draft revision ${flow.draft.revision} (${flow.status}) → ${flowFile}; ${cases} test case${cases === 1 ? '' : 's'} → ${suiteFile}`,
    )
  }
  return 0
}

export const run = (args: string[]) => pull(args, defaultServerContext)

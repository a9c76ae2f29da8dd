// `carepath push FILE.flow.json… [--submit] [--server URL] [--token-file FILE]`: send flows and the
// suites beside them from a git checkout to a server as new draft revisions (or new flows), and
// with --submit put each into review, so a flow kept in git enters the four-eyes gate from CI.
// Each file is checked here first (a flow the server would refuse is never sent), a draft equal
// to the file, titles and test cases included, is left alone, and a draft someone saved since it
// was read is refused by the server rather than overwritten.
import { jsonEqual, type FlowDocument } from '@carepath/dsl'
import { CliError, parseArgs, readJsonFile } from './cli-io.ts'
import { loadFlowFile, loadSuiteFile, suiteBeside } from './flow-files.ts'
import { defaultServerContext, serverClient, type ServerClient, type ServerContext } from './server-client.ts'
import { readAnswer, reviewSummarySchema, savedDraftSchema, serverFlowSchema } from './server-flow.schema.ts'

const USAGE = 'usage: carepath push FILE.flow.json… [--submit] [--server URL] [--token-file FILE]'

interface LocalFlow {
  file: string
  document: FlowDocument
  /** The suite file's JSON as written (the server checks it in full); undefined when there is none. */
  suite: unknown
}

function readLocal(file: string): LocalFlow {
  const document = loadFlowFile(file)
  const suiteFile = suiteBeside(file, document)
  if (!suiteFile) return { file, document, suite: undefined }
  const suite = loadSuiteFile(suiteFile)
  if (suite.flow !== document.id)
    throw new CliError(`${suiteFile}: this suite is for "${suite.flow}", not for the flow "${document.id}"`)
  return { file, document, suite: readJsonFile(suiteFile) }
}

async function pushOne(client: ServerClient, local: LocalFlow): Promise<string> {
  const id = encodeURIComponent(local.document.id)
  const found = await client.call('GET', `/flows/${id}`, undefined, true)
  if (found === undefined) {
    const created = readAnswer(
      savedDraftSchema,
      await client.call('POST', '/flows', {
        document: local.document,
        suites: local.suite === undefined ? [] : [local.suite],
      }),
      local.document.id,
    )
    return `created at revision ${created.revision} (hash ${created.hash.slice(0, 12)})`
  }
  const flow = readAnswer(serverFlowSchema, found, local.document.id)
  const serverSuite = await client.call('GET', `/flows/${id}/suite`)
  const sameSuite = local.suite === undefined || jsonEqual(normalisedSuite(local.suite), normalisedSuite(serverSuite))
  if (jsonEqual(flow.draft.document, local.document) && sameSuite)
    return `up to date (draft revision ${flow.draft.revision}, ${flow.status})`
  const saved = readAnswer(
    savedDraftSchema,
    await client.call('PUT', `/flows/${id}/draft`, {
      document: local.document,
      baseRevision: flow.draft.revision,
      ...(local.suite === undefined ? {} : { suite: local.suite }),
    }),
    local.document.id,
  )
  return `saved as draft revision ${saved.revision} (hash ${saved.hash.slice(0, 12)})`
}

/** A suite as the server keeps it: case ids filled in, so a file without ids compares equal. */
function normalisedSuite(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('cases' in raw) || !Array.isArray(raw.cases)) return raw
  return { ...raw, cases: raw.cases.map((c: unknown, index: number) => withCaseId(c, index)) }
}

function withCaseId(c: unknown, index: number): unknown {
  if (typeof c !== 'object' || c === null) return c
  return 'id' in c && typeof c.id === 'string' ? c : { ...c, id: `case-${index + 1}` }
}

async function submit(client: ServerClient, flowId: string): Promise<string> {
  const id = encodeURIComponent(flowId)
  const flow = readAnswer(serverFlowSchema, await client.call('GET', `/flows/${id}`), flowId)
  if (flow.status === 'in-review' || flow.status === 'approved') return `already ${flow.status}`
  await client.call('POST', `/flows/${id}/review`)
  const review = readAnswer(reviewSummarySchema, await client.call('GET', `/flows/${id}/review`), flowId)
  const summary = review.report?.summary
  const counts = summary
    ? `${summary.cases} cases, ${summary.changed} changed, ${summary.failed} failing their expectation`
    : 'no report'
  const hash = review.reportHash ? `, report ${review.reportHash.slice(0, 12)}` : ''
  return `submitted for review (${counts}${hash})`
}

export async function push(args: string[], context: ServerContext): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, {
    options: ['server', 'token-file'],
    flags: ['submit'],
  })
  if (positionals.length === 0) throw new CliError(USAGE)
  // Every file is read and checked before the first request: one bad file sends nothing.
  const locals = positionals.map(readLocal)
  const client = serverClient(options, context)
  for (const local of locals) {
    const saved = await pushOne(client, local)
    const submitted = flags.has('submit') ? `; ${await submit(client, local.document.id)}` : ''
    context.print(`${local.document.id}: ${saved}${submitted}`)
  }
  return 0
}

export const run = (args: string[]) => push(args, defaultServerContext)

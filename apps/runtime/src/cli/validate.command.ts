// `carepath validate FILE… [--json]`: every problem of every file, exit 0 only when all are valid.
import { registry } from '../plugins/installed-registry.ts'
import { contentHash, validateFlow, type Problem } from '@carepath/dsl'
import { CliError, parseArgs } from './cli-io.ts'
import { readFlowJson } from './flow-files.ts'

/** One file's result, as `--json` prints it. */
export interface FileReport {
  file: string
  valid: boolean
  /** Content hash of the upgraded document; null when it does not have the shape of a flow. */
  hash: string | null
  problems: {
    code: Problem['code']
    severity: Problem['severity']
    nodeId: string | null
    path: string
    message: string
  }[]
}

/** Validate one file (bad JSON, a missing file or a non-flow throw a one-line CliError). */
export function validateFile(file: string): FileReport {
  const result = validateFlow(readFlowJson(file), registry)
  return {
    file,
    valid: result.valid,
    hash: result.document ? contentHash(result.document) : null,
    problems: result.problems.map((p) => ({
      code: p.code,
      severity: p.severity,
      nodeId: p.nodeId ?? null,
      path: p.path,
      message: p.message,
    })),
  }
}

/** `file: node <id>: <code>: <sentence>` per problem ("node <id>: " only when there is a node). */
export function formatProblem(file: string, problem: FileReport['problems'][number]): string {
  const node = problem.nodeId === null ? '' : `node ${problem.nodeId}: `
  const warning = problem.severity === 'warning' ? ' (warning)' : ''
  return `${file}: ${node}${problem.code}${warning}: ${problem.message}`
}

/** Exit 0 when every file is valid, 1 when any has an error, 2 on unreadable input. */
export async function run(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { flags: ['json'] })
  if (positionals.length === 0) throw new CliError('usage: carepath validate FILE… [--json]')
  const files = positionals.map(validateFile)
  if (flags.has('json')) {
    console.log(JSON.stringify({ files }, null, 2))
  } else {
    for (const report of files) {
      if (report.problems.length === 0) console.log(`${report.file}: valid (${report.hash})`)
      for (const problem of report.problems) console.log(formatProblem(report.file, problem))
    }
  }
  return files.every((f) => f.valid) ? 0 : 1
}

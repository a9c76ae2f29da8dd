// `carepath replay RUN [--data DIR] [--keys FILE] [--json]`: re-execute one stored run from its
// event log against its pinned version and say whether the trace is byte-identical, naming the
// first event that differs. `carepath replay --sample N`: the same over N stored runs picked at
// random, the check to run after upgrading Carepath (exit 1 when any run differs).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { databaseFile } from '../db/database-file.ts'
import { AppError } from '../errors.ts'
import { PluginConfigError } from '../plugins/plugin-config.ts'
import { loadConfiguredPlugins } from '../plugins/plugin-loader.ts'
import type { ReplayReport } from '../runs/replay.service.ts'
import { createRuntime } from '../runtime.ts'
import { CliError, parseArgs } from './cli-io.ts'

const USAGE = 'usage: carepath replay RUN | --sample N [--data DIR] [--keys FILE] [--json]'

/** One line about a run that differs: where, and what. */
function differenceLine(report: ReplayReport): string {
  const d = report.difference
  if (!d) return `Run ${report.runId}: byte-identical (${report.events} events).`
  const where = d.type ? ` (${d.type}${d.nodeId ? ` at "${d.nodeTitle ?? d.nodeId}"` : ''})` : ''
  return `Run ${report.runId}: DIFFERS at event ${d.seq}${where}: ${d.reason}`
}

export async function run(args: string[]): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, { options: ['data', 'keys', 'sample'], flags: ['json'] })
  const sampleText = options.get('sample')
  const count = sampleText === undefined ? undefined : Number(sampleText)
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
    throw new CliError('--sample needs a whole number of runs, such as 100')
  }
  if ((count === undefined) === (positionals.length !== 1) || positionals.length > 1) throw new CliError(USAGE)
  const dataDir = resolve(options.get('data') ?? './data')
  if (!existsSync(databaseFile(dataDir))) throw new CliError(`no database at ${databaseFile(dataDir)}`)
  const installed = await loadConfiguredPlugins().catch((error: unknown) => {
    throw error instanceof PluginConfigError ? new CliError(error.message) : error
  })
  const keys = options.get('keys')
  const runtime = await createRuntime({
    dataDir,
    plugins: installed.plugins,
    ...(keys ? { keyFile: resolve(keys) } : {}),
  })
  try {
    if (count === undefined) {
      const report = await runtime.replays.replay(positionals[0] ?? '')
      console.log(flags.has('json') ? JSON.stringify(report) : differenceLine(report))
      return report.identical ? 0 : 1
    }
    const report = await runtime.replays.sample(count)
    if (flags.has('json')) console.log(JSON.stringify(report))
    else {
      console.log(
        `Replayed ${report.checked} stored runs: ${report.identical} byte-identical, ${report.differing.length} differ` +
          (report.unreadable.length ? `, ${report.unreadable.length} could not be read.` : '.'),
      )
      for (const differing of report.differing) console.log(`  ${differenceLine(differing)}`)
      for (const { runId, reason } of report.unreadable) console.log(`  Run ${runId} could not be read: ${reason}`)
    }
    return report.differing.length === 0 ? 0 : 1
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message)
    throw error
  } finally {
    await runtime.close()
  }
}

// `carepath phi-map FLOW [--format md|csv|json] [--version N] [--data DIR] [--keys FILE]`: the PHI
// touchpoint map of a flow. FLOW is a flow file or the id of a flow stored in the runtime at
// --data, whose draft or --version N is mapped. A stored flow, and a file given with --data, are
// mapped with that installation's connector settings and queue clearances; a file on its own is read
// as it is (encryption of channels is then "unknown", and the map says clearances were not applied).
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildPhiMap, exportPhiMap, PHI_MAP_FORMATS, type PhiMap, type PhiMapFormat } from '@carepath/dsl'
import { describeBuiltinEndpoints } from '@carepath/nodes'
import { databaseFile } from '../db/database-file.ts'
import { AppError } from '../errors.ts'
import { registry } from '../plugins/installed-registry.ts'
import { PluginConfigError } from '../plugins/plugin-config.ts'
import { loadConfiguredPlugins } from '../plugins/plugin-loader.ts'
import { createRuntime } from '../runtime.ts'
import { CliError, parseArgs } from './cli-io.ts'
import { readFlowDocument } from './flow-files.ts'

const USAGE = 'usage: carepath phi-map FLOW [--format md|csv|json] [--version N] [--data DIR] [--keys FILE]'

const isFormat = (value: string): value is PhiMapFormat => PHI_MAP_FORMATS.some((f) => f === value)

function parseVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const version = Number(text)
  if (!Number.isInteger(version) || version < 1) throw new CliError('--version needs a version number, such as 3')
  return version
}

/** `work` over the runtime of the installation at --data (the map needs its settings and queues). */
async function withInstallation(
  options: Map<string, string>,
  /** What a missing database means, given where it was looked for. */
  missing: (file: string) => string,
  work: (runtime: Awaited<ReturnType<typeof createRuntime>>) => Promise<PhiMap>,
): Promise<PhiMap> {
  const dataDir = resolve(options.get('data') ?? './data')
  if (!existsSync(databaseFile(dataDir))) {
    throw new CliError(missing(databaseFile(dataDir)))
  }
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
    return await work(runtime)
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message)
    throw error
  } finally {
    await runtime.close()
  }
}

/** Print the map in the chosen format (Markdown by default). Exit 0; bad input exits 2. */
export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, { options: ['format', 'version', 'data', 'keys'] })
  if (positionals.length !== 1) throw new CliError(USAGE)
  const flow = positionals[0] ?? ''
  const format = options.get('format') ?? 'md'
  if (!isFormat(format)) throw new CliError(`--format is one of ${PHI_MAP_FORMATS.join(', ')}, not "${format}"`)
  const version = parseVersion(options.get('version'))
  let map: PhiMap
  if (existsSync(flow) && statSync(flow).isFile()) {
    if (version !== undefined) {
      throw new CliError('--version picks a version stored in the runtime; a file is one version already')
    }
    const { document } = readFlowDocument(flow)
    map = options.has('data')
      ? await withInstallation(
          options,
          (file) => `There is no database at ${file} to take the settings and queue clearances from`,
          (runtime) => runtime.phiMaps.preview(document),
        )
      : buildPhiMap(document, registry, { describeEndpoints: describeBuiltinEndpoints() })
  } else {
    map = await withInstallation(
      options,
      (file) => `"${flow}" is not a file, and there is no database at ${file} to find it in`,
      async (runtime) => (await runtime.phiMaps.map(flow, version)).map,
    )
  }
  process.stdout.write(exportPhiMap(map, format))
  return 0
}

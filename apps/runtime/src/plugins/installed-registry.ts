// The registry the CLI commands (validate, run, simulate, cases, migrate) use: the built-in node
// types plus the packages the installation's config lists (plugin-config.ts). Loaded once, when a
// command that needs it is first imported; `carepath serve` composes its own in createRuntime.
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { CliError } from '../cli/cli-io.ts'
import { PluginConfigError } from './plugin-config.ts'
import { loadConfiguredPlugins } from './plugin-loader.ts'

const { plugins } = await loadConfiguredPlugins().catch((error: unknown) => {
  // A config to fix is bad input (exit 2 with one line), like a malformed flow file.
  throw error instanceof PluginConfigError ? new CliError(error.message) : error
})

/** The installation's node types, built once at module scope. */
export const registry = composeCatalog([builtinPlugin, ...plugins]).registry

// How an installation lists its extension packages: `carepath.config.json` in the directory the
// command runs from, or the file named by CAREPATH_CONFIG:
//
//   { "plugins": ["@carepath/example-npi-lookup"] }
//
// Each entry is a package name, resolved from the config file's folder the way Node resolves an
// import there (install the package next to the config with npm or pnpm). The runtime, the CLI
// and the designer build all read this one file, so installing a package is a config edit.
// This file only finds packages (the designer's Vite config runs it); plugin-loader.ts imports them.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { z } from 'zod'

/** The file name looked for in the working directory. */
export const CONFIG_FILE_NAME = 'carepath.config.json'
/** The environment variable naming another config file. */
export const CONFIG_ENV = 'CAREPATH_CONFIG'

/** The installation's config file. */
export const installationConfigSchema = z
  .object({
    /** Extension packages to install, by package name. */
    plugins: z.array(z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'a package name')).default([]),
  })
  .strict()
export type InstallationConfig = z.infer<typeof installationConfigSchema>

/** A config that cannot be used: the message says what to fix, in one sentence. */
export class PluginConfigError extends Error {
  override readonly name = 'PluginConfigError'
}

/** One listed package and the module file it resolves to. */
export interface ResolvedPlugin {
  packageName: string
  entry: string
}

/** Where the config came from (undefined: none, so only the built-ins are installed) and what it lists. */
export interface ResolvedPluginConfig {
  file: string | undefined
  plugins: readonly ResolvedPlugin[]
}

/** Find and read the config, resolving each package; refuses a malformed config or a missing package. */
export function resolvePluginConfig(
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): ResolvedPluginConfig {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const named = env[CONFIG_ENV]
  const file = named ? resolve(cwd, named) : resolve(cwd, CONFIG_FILE_NAME)
  if (!existsSync(file)) {
    if (named) throw new PluginConfigError(`${CONFIG_ENV} names ${file}, which does not exist.`)
    return { file: undefined, plugins: [] }
  }
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new PluginConfigError(`${file} is not valid JSON.`)
  }
  const parsed = installationConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new PluginConfigError(`${file}: "${issue?.path.join('.') || 'config'}" ${issue?.message ?? 'is invalid'}.`)
  }
  const require = createRequire(file)
  const plugins = parsed.data.plugins.map((packageName) => {
    try {
      return { packageName, entry: require.resolve(packageName) }
    } catch {
      throw new PluginConfigError(
        `The plugin "${packageName}" listed in ${file} is not installed: add it next to that file (npm install ${packageName}).`,
      )
    }
  })
  return { file, plugins }
}

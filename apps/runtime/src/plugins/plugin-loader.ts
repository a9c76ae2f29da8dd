// Importing the packages the installation's config lists and checking their `carepathPlugin`
// export (what `carepath serve` and the CLI install; the designer build imports them itself).
import { pathToFileURL } from 'node:url'
import { carepathPluginSchema, type CarepathPlugin } from '@carepath/dsl'
import { PluginConfigError, resolvePluginConfig, type ResolvedPluginConfig } from './plugin-config.ts'

/** Import each listed package and check its `carepathPlugin` export. */
export async function loadPlugins(config: ResolvedPluginConfig): Promise<CarepathPlugin[]> {
  const loaded: CarepathPlugin[] = []
  for (const { packageName, entry } of config.plugins) {
    const module: unknown = await import(pathToFileURL(entry).href)
    const exported: unknown =
      typeof module === 'object' && module !== null ? Reflect.get(module, 'carepathPlugin') : undefined
    const parsed = carepathPluginSchema.safeParse(exported)
    if (!parsed.success) {
      throw new PluginConfigError(
        `The package "${packageName}" has no usable \`carepathPlugin\` export (make one with definePlugin from @carepath/dsl).`,
      )
    }
    loaded.push(parsed.data)
  }
  return loaded
}

/** The configured extension packages, loaded: what `carepath serve` and the CLI install. */
export async function loadConfiguredPlugins(
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ file: string | undefined; plugins: CarepathPlugin[] }> {
  const config = resolvePluginConfig(options)
  return { file: config.file, plugins: await loadPlugins(config) }
}

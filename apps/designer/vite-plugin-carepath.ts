// `virtual:carepath-plugins`: the extension packages the installation's carepath.config.json (or
// CAREPATH_CONFIG) lists, read by the same code as `carepath serve`, so the designer's palette
// and the runtime install the same node types with no source edit. Each package's entry must run
// in the browser, like everything under packages/ (its adapters get I/O injected, never imported).
import type { Plugin } from 'vite'
import { resolvePluginConfig } from '../runtime/src/plugins/plugin-config.ts'

const MODULE_ID = 'virtual:carepath-plugins'
const RESOLVED_ID = `\0${MODULE_ID}`

/** The Vite plugin; `cwd` is where the config is looked for (pnpm's INIT_CWD: where the command was typed). */
export function carepathPlugins(cwd: string = process.env.INIT_CWD ?? process.cwd()): Plugin {
  return {
    name: 'carepath-plugins',
    resolveId: (id) => (id === MODULE_ID ? RESOLVED_ID : undefined),
    load(id) {
      if (id !== RESOLVED_ID) return undefined
      const config = resolvePluginConfig({ cwd })
      if (config.file) this.addWatchFile(config.file)
      const imports = config.plugins.map(
        (plugin, index) => `import { carepathPlugin as plugin${index} } from ${JSON.stringify(plugin.entry)}`,
      )
      const list = config.plugins.map((_, index) => `plugin${index}`).join(', ')
      return `${imports.join('\n')}\nexport const plugins = [${list}]\n`
    },
  }
}

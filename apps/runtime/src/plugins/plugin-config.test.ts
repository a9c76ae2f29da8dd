import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolvePluginConfig } from './plugin-config.ts'
import { loadConfiguredPlugins } from './plugin-loader.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An installation folder with a config and, optionally, packages in its node_modules. */
function installation(name: string, config: string, packages: Record<string, string> = {}): string {
  const root = join(dir, name)
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, 'carepath.config.json'), config)
  for (const [pkg, source] of Object.entries(packages)) {
    const folder = join(root, 'node_modules', pkg)
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: pkg, type: 'module', exports: './index.js' }))
    writeFileSync(join(folder, 'index.js'), source)
  }
  return root
}

describe('the installation config', () => {
  it('is optional: without one only the built-ins are installed', () => {
    expect(resolvePluginConfig({ cwd: join(dir), env: {} })).toEqual({ file: undefined, plugins: [] })
  })

  it('refuses a file named by CAREPATH_CONFIG that does not exist, malformed JSON, and an unknown key', () => {
    expect(() => resolvePluginConfig({ cwd: dir, env: { CAREPATH_CONFIG: 'missing.json' } })).toThrow(
      /CAREPATH_CONFIG names .*missing\.json, which does not exist/,
    )
    const broken = installation('broken', '{ plugins: ')
    expect(() => resolvePluginConfig({ cwd: broken, env: {} })).toThrow(/is not valid JSON/)
    const typo = installation('typo', '{ "plugin": ["@acme/consent"] }')
    expect(() => resolvePluginConfig({ cwd: typo, env: {} })).toThrow(/Unrecognized key/)
  })

  it('resolves each package from the config file’s folder, and names one that is not installed', () => {
    const root = installation('resolves', '{ "plugins": ["@acme/consent"] }', { '@acme/consent': 'export {}' })
    const config = resolvePluginConfig({ cwd: root, env: {} })
    expect(config.plugins).toEqual([
      { packageName: '@acme/consent', entry: join(root, 'node_modules/@acme/consent/index.js') },
    ])
    const missing = installation('missing', '{ "plugins": ["@acme/absent"] }')
    expect(() => resolvePluginConfig({ cwd: missing, env: {} })).toThrow(
      /The plugin "@acme\/absent" listed in .* is not installed: add it next to that file/,
    )
  })

  it('loads each package’s carepathPlugin, and refuses a package without a usable one', async () => {
    const plugin = `export const carepathPlugin = { name: '@acme/empty', nodeTypes: [], connectors: [] }`
    const good = installation('good', '{ "plugins": ["@acme/empty"] }', { '@acme/empty': plugin })
    const loaded = await loadConfiguredPlugins({ cwd: good, env: {} })
    expect(loaded.plugins.map((p) => p.name)).toEqual(['@acme/empty'])
    const bad = installation('bad', '{ "plugins": ["@acme/none"] }', { '@acme/none': 'export const other = 1' })
    await expect(loadConfiguredPlugins({ cwd: bad, env: {} })).rejects.toThrow(
      'The package "@acme/none" has no usable `carepathPlugin` export (make one with definePlugin from @carepath/dsl).',
    )
  })
})

// The connectors a runtime calls: the catalog of installed packages (the runtime's own hl7-out
// among them), the adapters built from the current connector settings, and those of older
// settings revisions for the published versions pinned to one. Kept together because the
// adapters are rebuilt from the same catalog whenever the settings change.
import { composeCatalog, type Catalog } from '@carepath/catalog'
import {
  definePlugin,
  provideConnector,
  type CarepathPlugin,
  type ConnectorAdapter,
  type JsonValue,
} from '@carepath/dsl'
import { hl7OutConnector } from '@carepath/nodes'
import type { Hl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import {
  builtinPlugin,
  createConnectorAdapters,
  isConnectorConfigured,
  type IntegrationSettings,
} from './integrations/index.ts'
import type { SettingsSnapshot } from './settings-review/settings-snapshot.ts'

type Settings = { [key: string]: JsonValue }

/**
 * The built-in package and the configured ones (the runtime's own, bringing hl7-out, between
 * them); validation asks the stored settings, live, whether each connector a flow calls is
 * configured.
 */
export function composeRuntimeCatalog(
  hl7Outbound: Hl7Outbound,
  plugins: readonly CarepathPlugin[],
  settings: () => Settings,
): Catalog {
  const runtimePlugin = definePlugin({
    name: '@carepath/runtime',
    nodeTypes: [],
    connectors: [
      provideConnector(hl7OutConnector, (value) => {
        hl7Outbound.configure(value)
        return hl7Outbound.adapter
      }),
    ],
  })
  const catalog = composeCatalog([builtinPlugin, runtimePlugin, ...plugins], {
    connectors: { isConfigured: (name) => connectorConfigured(name) },
  })
  function connectorConfigured(name: string): boolean {
    const connector = catalog.connectors.find((c) => c.name === name)
    return connector !== undefined && isConnectorConfigured(connector, settings())
  }
  return catalog
}

/**
 * The adapters runs call, built from the current settings (`fixed` ones, given by tests, are used
 * as they are and never rebuilt), and what a published version pinned to an older settings
 * revision runs with instead.
 */
export function createRuntimeConnectors({
  catalog,
  hl7Outbound,
  settingsSnapshot,
  current,
  fixed,
}: {
  catalog: Catalog
  hl7Outbound: Pick<Hl7Outbound, 'adapterFor'>
  settingsSnapshot: SettingsSnapshot
  /** The current connector settings (a copy the caller may change). */
  current: () => Settings
  fixed: Record<string, ConnectorAdapter> | undefined
}) {
  const buildAdapters = (value: IntegrationSettings) => createConnectorAdapters(value, {}, catalog.connectors)
  const connectors: Record<string, ConnectorAdapter> = {
    ...(fixed ?? buildAdapters(current())),
  }
  // Adapters of older revisions, for versions pinned to one. hl7-out is one store-and-forward
  // queue per destination for the whole installation: a pinned version's messages join it marked
  // with their revision, and are delivered with that revision's destination settings.
  const pinnedAdapters = new Map<number, Record<string, ConnectorAdapter>>()
  function connectorsFor(flowId: string, hash: string): Record<string, ConnectorAdapter> {
    const pinned = settingsSnapshot.pinOf(flowId, hash)
    if (fixed || pinned === undefined || pinned === settingsSnapshot.currentNumber()) return connectors
    let built = pinnedAdapters.get(pinned)
    if (!built) {
      const value = settingsSnapshot.revisionValue(pinned)
      const own = catalog.connectors.filter((c) => c.name !== hl7OutConnector.name)
      built = {
        ...connectors,
        ...createConnectorAdapters(value, {}, own),
        [hl7OutConnector.name]: hl7Outbound.adapterFor(pinned),
      }
      pinnedAdapters.set(pinned, built)
    }
    return built
  }

  /** The connector settings a published version runs with: its pinned revision's, else the current ones. */
  function settingsFor(flowId: string, hash: string): Settings {
    const pinned = settingsSnapshot.pinOf(flowId, hash)
    if (pinned === undefined || pinned === settingsSnapshot.currentNumber()) return current()
    return settingsSnapshot.revisionValue(pinned)
  }

  /** New steps of versions on the current revision use the new adapters at once. */
  const rebuildAdapters = (value: Settings) => {
    pinnedAdapters.clear()
    if (fixed) return
    for (const key of Object.keys(connectors)) delete connectors[key]
    Object.assign(connectors, buildAdapters(value))
  }

  return { connectors, connectorsFor, settingsFor, rebuildAdapters }
}

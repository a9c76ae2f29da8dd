// @carepath/example-npi-lookup: a node type shipped as its own package. An installation turns it
// on by listing the package in its carepath.config.json (`"plugins": [...]`); no product file
// names it. `carepathPlugin` is what the runtime, the CLI and the designer build load.
import { definePlugin } from '@carepath/dsl'
import { npiLookup } from './npi-lookup.node.ts'
import { npiRegistry } from './npi-registry.adapter.ts'

export { npiLookup, npiLookupConfigSchema, isValidNpi, readNppesAnswer } from './npi-lookup.node.ts'
export type { NpiLookupConfig, NpiRequest, NpiProvider } from './npi-lookup.node.ts'
export { createNpiRegistryAdapter, npiRegistry } from './npi-registry.adapter.ts'
export { npiConnector, npiSettingsSchema, NPPES_API, type NpiSettings } from './npi-settings.schema.ts'

/** This package's contribution to an installation: the node type and its connector's adapter. */
export const carepathPlugin = definePlugin({
  name: '@carepath/example-npi-lookup',
  nodeTypes: [npiLookup],
  connectors: [npiRegistry],
})

// @carepath/example-npi-lookup: a node type shipped as its own package. Registering it is one
// line in packages/catalog/src/index.ts (`npiLookup` in `installedNodeTypes`).
export { npiLookup, npiLookupConfigSchema, isValidNpi, readNppesAnswer } from './npi-lookup.node.ts'
export type { NpiLookupConfig, NpiRequest, NpiProvider } from './npi-lookup.node.ts'
export { createNpiRegistryAdapter, NPPES_API } from './npi-registry.adapter.ts'

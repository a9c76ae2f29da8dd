// The host's catalog, composed from packages (as tldraw's host passes `shapeUtils={[...]}`): the
// built-in node package plus whichever extension packages an installation lists in its config.
// Nothing here names an extension; the runtime, the CLI and the designer build compose the same
// way from the same config, and tests compose what they need (examples/custom-node).
import {
  createNodeRegistry,
  declaredConnectors,
  definePlugin,
  type AnyConnectorDeclaration,
  type AnyNodeType,
  type CarepathPlugin,
  type ConnectorContribution,
  type NodeRegistry,
  type RegistryOptions,
} from '@carepath/dsl'
import { builtinNodeTypes } from '@carepath/nodes'

/**
 * The built-in package as the browser sees it: its node types. The adapters of the connectors
 * they declare (fhir, payer, http, notify) do I/O, so the runtime supplies those.
 */
export const builtinPlugin: CarepathPlugin = definePlugin({
  name: '@carepath/nodes',
  nodeTypes: builtinNodeTypes,
  connectors: [],
})

/** What a host gets from its packages. */
export interface Catalog {
  plugins: readonly CarepathPlugin[]
  registry: NodeRegistry
  /** Every connector some installed node type calls, by name. */
  declared: readonly AnyConnectorDeclaration[]
  /** The adapters the packages bring, one per connector name. */
  connectors: readonly ConnectorContribution[]
}

/**
 * Compose a catalog from packages, in order. Refuses two packages bringing the same node type or
 * the same connector, naming both packages.
 * @example
 * const { registry } = composeCatalog([builtinPlugin, carepathPlugin])
 */
export function composeCatalog(plugins: readonly CarepathPlugin[], options: RegistryOptions = {}): Catalog {
  const typeOwner = new Map<string, string>()
  const connectorOwner = new Map<string, string>()
  const nodeTypes: AnyNodeType[] = []
  const connectors: ConnectorContribution[] = []
  for (const plugin of plugins) {
    for (const nodeType of plugin.nodeTypes) {
      const owner = typeOwner.get(nodeType.type)
      if (owner) throw new Error(`The node type "${nodeType.type}" comes from both ${owner} and ${plugin.name}.`)
      typeOwner.set(nodeType.type, plugin.name)
      nodeTypes.push(nodeType)
    }
    for (const connector of plugin.connectors) {
      const owner = connectorOwner.get(connector.name)
      if (owner) throw new Error(`The connector "${connector.name}" comes from both ${owner} and ${plugin.name}.`)
      connectorOwner.set(connector.name, plugin.name)
      connectors.push(connector)
    }
  }
  return {
    plugins,
    registry: createNodeRegistry(nodeTypes, options),
    declared: declaredConnectors(nodeTypes),
    connectors,
  }
}

/**
 * The production palette with no extension installed: the built-in node types, built once at
 * module scope. Installations add packages by configuration (see examples/custom-node/README.md).
 */
export const registry = composeCatalog([builtinPlugin]).registry

import { NODE_CATEGORIES, type AnyNodeType, type NodeCategory } from './node-type.ts'

/** The node types a designer or runtime knows. Built once, at module scope. */
export interface NodeRegistry {
  get(type: string): AnyNodeType | undefined
  has(type: string): boolean
  /** Every type, sorted by type id (a stable order for palettes, schemas and tests). */
  list(): readonly AnyNodeType[]
  /** Palette groups in the documented category order. */
  palette(): readonly { category: NodeCategory; types: readonly AnyNodeType[] }[]
  /**
   * Whether the installation has configured the connector `name`: undefined when the registry
   * was built without that knowledge (the designer, the simulator), so validation says nothing.
   */
  connectorConfigured(name: string): boolean | undefined
}

/** What a host knows about its connectors beyond the node types (asked live: settings change). */
export interface RegistryOptions {
  connectors?: { isConfigured(name: string): boolean } | undefined
}

/**
 * Build a registry. Refuses two types with the same id; `defineNodeType` has already refused
 * invalid defaults and migration gaps.
 */
export function createNodeRegistry(types: readonly AnyNodeType[], options: RegistryOptions = {}): NodeRegistry {
  const byType = new Map<string, AnyNodeType>()
  for (const nodeType of types) {
    if (byType.has(nodeType.type)) throw new Error(`Node type "${nodeType.type}" is registered twice.`)
    byType.set(nodeType.type, nodeType)
  }
  const sorted = [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
  const palette = NODE_CATEGORIES.map((category) => ({
    category,
    types: sorted.filter((t) => t.category === category),
  })).filter((group) => group.types.length > 0)
  return {
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => sorted,
    palette: () => palette,
    connectorConfigured: (name) => options.connectors?.isConfigured(name),
  }
}

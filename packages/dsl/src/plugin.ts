// What a node package brings to an installation: its node types and the adapters of the
// connectors they call. The host composes installed plugins into its catalog and connectors
// (as tldraw's host passes `shapeUtils`), so no product file names an extension.
import { z } from 'zod'
import type { AnyConnectorDeclaration, AnyNodeType, ConnectorAdapter, ConnectorDeclaration } from './node-type.ts'

/** What the host lends connector adapters: I/O seams that cannot be stored as settings. */
export interface ConnectorDeps {
  fetch: typeof fetch
  /** Waits between retries (tests pass an immediate one). */
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** The clock, for adapters that stamp requests. */
  now?: (() => Date) | undefined
  /** Where a log-only channel writes (default: standard error). */
  logSink?: ((line: string) => void) | undefined
  /**
   * The CAs to trust when an adapter opens TLS itself (SMTP, MLLPS): the public roots plus the
   * installation's private CA. Absent: the public roots. Certificates are always verified.
   */
  trustedCa?: readonly string[] | undefined
}

/** A connector with the adapter that reaches the world, built from its parsed settings. */
export interface ConnectorContribution<S extends z.ZodType = z.ZodType> extends ConnectorDeclaration<S> {
  /** Called again whenever the installation's settings change. */
  createAdapter(settings: z.output<S>, deps: ConnectorDeps): ConnectorAdapter
}

/**
 * Give a declared connector its adapter.
 * @example
 * export const npiRegistry = provideConnector(npiConnector, (settings, deps) => createNpiRegistryAdapter(deps.fetch, settings.baseUrl))
 */
export function provideConnector<S extends z.ZodType>(
  declaration: ConnectorDeclaration<S>,
  createAdapter: (settings: z.output<S>, deps: ConnectorDeps) => ConnectorAdapter,
): ConnectorContribution<S> {
  return Object.freeze({ ...declaration, createAdapter })
}

/** A package's contribution to an installation: the value of its `carepathPlugin` export. */
export interface CarepathPlugin {
  /** The package name, used in messages. */
  name: string
  nodeTypes: readonly AnyNodeType[]
  connectors: readonly ConnectorContribution[]
}

/** Whether `value` is an object whose `key` has the JavaScript type `kind` (no cast on outside data). */
function hasMember(value: unknown, key: string, kind: 'string' | 'function' | 'object'): boolean {
  if (typeof value !== 'object' || value === null) return false
  const member: unknown = Reflect.get(value, key)
  return typeof member === kind && member !== null
}

// A package may bring its own copy of zod, so schemas are recognised by what they do.
const isSchema = (value: unknown) => hasMember(value, 'safeParse', 'function')

const nodeTypeShape = z.custom<AnyNodeType>(
  (value) =>
    hasMember(value, 'type', 'string') &&
    hasMember(value, 'execute', 'function') &&
    hasMember(value, 'config', 'object') &&
    isSchema(Reflect.get(Object(value), 'config')),
  'a node type made with defineNodeType',
)

const connectorShape = z.custom<ConnectorContribution>(
  (value) =>
    hasMember(value, 'name', 'string') &&
    hasMember(value, 'createAdapter', 'function') &&
    hasMember(value, 'settingsSchema', 'object') &&
    isSchema(Reflect.get(Object(value), 'settingsSchema')),
  'a connector made with provideConnector',
)

/** The shape a package's `carepathPlugin` export must have; checked when the host loads it. */
export const carepathPluginSchema = z.object({
  name: z.string().min(1),
  nodeTypes: z.array(nodeTypeShape),
  connectors: z.array(connectorShape).default([]),
})

/**
 * Define a package's plugin. Refuses two connectors of the same name.
 * @example
 * export const carepathPlugin = definePlugin({ name: '@acme/consent', nodeTypes: [consentCheck], connectors: [consentRegistry] })
 */
export function definePlugin(plugin: CarepathPlugin): CarepathPlugin {
  const names = plugin.connectors.map((c) => c.name)
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice) throw new Error(`Plugin "${plugin.name}" provides the connector "${twice}" twice.`)
  return Object.freeze({ ...plugin })
}

/** The connectors a list of node types declare, each once, by name. */
export function declaredConnectors(nodeTypes: readonly AnyNodeType[]): readonly AnyConnectorDeclaration[] {
  const byName = new Map<string, AnyConnectorDeclaration>()
  for (const nodeType of nodeTypes)
    for (const c of nodeType.connectors ?? []) byName.set(c.name, byName.get(c.name) ?? c)
  return [...byName.values()]
}

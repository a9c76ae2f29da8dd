// Ports, reads and PHI of a node as its type defines them. A config that fails its schema
// still gets drawn (with the type's default ports) so the analyst can fix it on the canvas.
import { phiClassAt, type AnyNodeType, type FactSchema, type PhiClass, type PortSpec } from '@carepath/dsl'
import { registry } from '../registry.ts'

/**
 * Parsed configs by config object. With a big flow the canvas draws only the nodes on screen, so
 * a node mounts again each time a pan brings it into view, and parsing its config (a decision
 * table's rows through zod) three times per mount was the script in the slowest pan frames. A
 * config is never changed in place (an edit makes a new object), so its parse (and its ports) are kept.
 */
interface KeptConfig {
  nodeType: AnyNodeType
  value: unknown
  /** Its output ports, once asked for. */
  ports?: readonly PortSpec[]
}
const keptConfigs = new WeakMap<object, KeptConfig>()

/** What is kept of a config read as `nodeType`: its parse, the raw config while it does not parse (so marks follow what was typed). */
function kept(nodeType: AnyNodeType, config: Record<string, unknown>): KeptConfig {
  const found = keptConfigs.get(config)
  if (found?.nodeType === nodeType) return found
  const result = nodeType.config.safeParse(config)
  const entry: KeptConfig = { nodeType, value: result.success ? result.data : config }
  keptConfigs.set(config, entry)
  return entry
}

const parsed = (nodeType: AnyNodeType, config: Record<string, unknown>): unknown => kept(nodeType, config).value

function defaultsOf(nodeType: AnyNodeType): unknown {
  return nodeType.config.safeParse(nodeType.defaults).data
}

function attempt<T, F>(fn: () => T, fallback: F): T | F {
  try {
    const value = fn()
    // A half-typed config can make a type's function return junk instead of throwing.
    return Array.isArray(value) || typeof value === 'string' ? value : fallback
  } catch {
    return fallback
  }
}

/**
 * Whether a node of this type has an input port: every type but a trigger (a trigger starts a
 * flow, so nothing leads into it). An unknown type keeps its input, so its edges still draw.
 */
export function hasInputPort(nodeType: AnyNodeType | undefined): boolean {
  return !nodeType?.trigger
}

/** The output ports a node offers for its current config (kept with its parse, for the same reason). */
export function portsOf(type: string, config: Record<string, unknown>): readonly PortSpec[] {
  const nodeType = registry.get(type)
  if (!nodeType) return []
  const entry = kept(nodeType, config)
  entry.ports ??=
    attempt(() => nodeType.ports(entry.value as never), null) ??
    attempt(() => nodeType.ports(defaultsOf(nodeType) as never), [])
  return entry.ports
}

/** PHI classes a node touches: its type's own list plus the classes of the facts it reads and writes. */
export function phiOf(type: string, config: Record<string, unknown>, facts: FactSchema): PhiClass[] {
  const nodeType = registry.get(type)
  if (!nodeType) return []
  const value = parsed(nodeType, config) as never
  const paths = [
    ...attempt(() => nodeType.reads(value), []),
    ...attempt(() => nodeType.writes(value), []),
    ...attempt(() => nodeType.human?.shows(value) ?? [], []),
  ]
  const classes = new Set<PhiClass>(nodeType.phi)
  for (const path of paths) {
    if (typeof path !== 'string') continue
    const phi = phiClassAt(facts, path)
    if (phi) classes.add(phi)
  }
  classes.delete('none')
  return [...classes].sort()
}

/** For a human step: the shown fact paths its role may not see (marked before saving). */
export function forbiddenShows(
  type: string,
  config: Record<string, unknown>,
  facts: FactSchema,
  roles: Record<string, { phi: PhiClass[] }>,
): string[] {
  const nodeType = registry.get(type)
  if (!nodeType?.human) return []
  const value = parsed(nodeType, config) as never
  const role = attempt(() => nodeType.human!.role(value), '')
  const allowed = new Set<PhiClass>(['none', ...(roles[role]?.phi ?? [])])
  return attempt(() => nodeType.human!.shows(value), [] as readonly string[]).filter((path) => {
    if (typeof path !== 'string') return false
    const phi = phiClassAt(facts, path)
    return !phi || !allowed.has(phi)
  })
}

// Who may see which patient data. Every response that carries facts (runs, events, tasks,
// simulation reports, reviews, errors) is let out through its type's redaction policy
// (redaction-policy.ts and the *.policy.ts files beside it) against the context built here.
import { classesCleared, REDACTED } from '@carepath/dsl'
import type { FlowDocument, PhiClass } from '@carepath/dsl'
import type { UserRole } from '../db/schema.ts'
import { patientValuesIn } from './free-text.ts'
import type { RedactionContext } from './redaction-policy.ts'

export { REDACTED }

/**
 * Each work queue's PHI clearance, by queue name, as an admin set it: the classes the queue's
 * people are cleared to see. A queue missing here has no clearance set and caps nothing.
 */
export type QueueClearances = ReadonlyMap<string, readonly PhiClass[]>

/** Who is looking, as far as patient data goes. */
export interface Viewer {
  role: UserRole
  /** Flow roles (work queues) the person works; `*` means every role of every flow. */
  flowRoles: readonly string[]
  /**
   * The queues' clearances, loaded by the caller (the gate stays pure). Only an agent's view
   * needs them; without them no queue caps its flow roles.
   */
  clearance?: QueueClearances | undefined
}

/**
 * The PHI classes a viewer may see in runs of a flow: agents see what their flow roles may see
 * (minimum necessary), each role capped by its queue's clearance where an admin set one; every
 * other runtime role sees no patient data at all.
 */
export function allowedClasses(viewer: Viewer, flow: Pick<FlowDocument, 'roles'>): PhiClass[] {
  const classes = new Set<PhiClass>(['none'])
  if (viewer.role !== 'agent') return [...classes]
  for (const [name, role] of Object.entries(flow.roles)) {
    if (!viewer.flowRoles.includes('*') && !viewer.flowRoles.includes(name)) continue
    for (const c of classesCleared(role.phi, viewer.clearance?.get(name))) classes.add(c)
  }
  return [...classes]
}

/**
 * The viewer with the queues' clearances when they count: loaded for an agent only, since every
 * other role sees no patient data whatever the clearances say (and need not wait for a query).
 */
export async function withClearance<V extends Viewer>(viewer: V, load: () => Promise<QueueClearances>): Promise<V> {
  return viewer.role === 'agent' ? { ...viewer, clearance: await load() } : viewer
}

/**
 * What a response of a flow is redacted against for a viewer: the flow's facts schema, the
 * classes the viewer may see, and the patient values (anything inside `patientData`) its free
 * text must not quote.
 */
export function redactionContext(
  viewer: Viewer,
  flow: Pick<FlowDocument, 'roles' | 'facts'>,
  ...patientData: readonly unknown[]
): RedactionContext {
  return { schema: flow.facts, allowed: allowedClasses(viewer, flow), patientValues: patientValuesIn(...patientData) }
}

// Who may see which patient data. Every response that carries facts (runs, events, tasks,
// simulation reports, reviews, errors) is let out through its type's redaction policy
// (redaction-policy.ts and the *.policy.ts files beside it) against the context built here.
import { REDACTED } from '@carepath/dsl'
import type { FlowDocument, PhiClass } from '@carepath/dsl'
import type { UserRole } from '../db/schema.ts'
import { patientValuesIn } from './free-text.ts'
import type { RedactionContext } from './redaction-policy.ts'

export { REDACTED }

/** Who is looking, as far as patient data goes. */
export interface Viewer {
  role: UserRole
  /** Flow roles (work queues) the person works; `*` means every role of every flow. */
  flowRoles: readonly string[]
}

/**
 * The PHI classes a viewer may see in runs of a flow: agents see what their flow roles may see
 * (minimum necessary); every other runtime role sees no patient data at all.
 */
export function allowedClasses(viewer: Viewer, flow: Pick<FlowDocument, 'roles'>): PhiClass[] {
  const classes = new Set<PhiClass>(['none'])
  if (viewer.role !== 'agent') return [...classes]
  for (const [name, role] of Object.entries(flow.roles)) {
    if (viewer.flowRoles.includes('*') || viewer.flowRoles.includes(name)) role.phi.forEach((c) => classes.add(c))
  }
  return [...classes]
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

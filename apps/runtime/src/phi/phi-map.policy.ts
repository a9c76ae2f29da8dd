// The PHI map's responses: class names, node and queue titles, fact paths, systems and hosts.
// A map describes the flow, never a patient, so it holds structure and author text only; it still
// leaves through a declared policy so a field added later needs its own decision.
import type { PhiMap, PhiMapDiff, PhiTouchpoint } from '@carepath/dsl'
import type { PhiMapRollup, VersionMap } from './phi-map.service.ts'
import { authored, each, nullable, object, structure } from './redaction-policy.ts'

const endpoint = object<NonNullable<PhiTouchpoint['endpoint']>>({
  system: authored,
  channel: structure,
  endpoint: structure,
  outside: structure,
  patientFacing: structure,
  encrypted: structure,
  encryptionNote: structure,
})

const touchpoint = object<PhiTouchpoint>({
  phiClass: structure,
  kind: structure,
  nodeId: structure,
  // The node's or queue's title, from the flow document.
  where: authored,
  facts: structure,
  source: structure,
  endpoint,
  queue: structure,
  withheld: structure,
})

/** One version's map (what `phiMap.preview` answers). */
export const phiMapPolicy = object<PhiMap>({
  flowId: structure,
  version: structure,
  title: authored,
  // Sentences built from titles, classes and systems.
  classes: each(
    object({
      phiClass: structure,
      enters: authored,
      readBy: authored,
      writtenBy: authored,
      sentTo: authored,
      shownIn: authored,
      queues: structure,
      productRoles: authored,
      // Sentences naming steps by title and queues by name.
      withheld: authored,
    }),
  ),
  touchpoints: each(touchpoint),
  unmapped: structure,
  clearancesApplied: structure,
})

/** What `phiMap.get` answers. */
export const versionMapPolicy = object<VersionMap>({
  flowId: structure,
  revision: structure,
  hash: structure,
  status: structure,
  map: phiMapPolicy,
})

const change = object<PhiMapDiff['added'][number]>({ change: structure, touchpoint, summary: authored })

/** What `phiMap.diff` answers. */
export const phiMapDiffPolicy = object<{ revision: number; publishedRevision: number | null } & PhiMapDiff>({
  revision: structure,
  publishedRevision: structure,
  added: each(change),
  removed: each(change),
  newClasses: structure,
})

/** What `phiMap.rollup` answers. */
export const phiMapRollupPolicy = object<PhiMapRollup>({
  flows: each(
    object({
      flowId: structure,
      title: authored,
      revision: structure,
      published: structure,
      classes: structure,
      systems: authored,
      withheld: authored,
    }),
  ),
  systems: each(
    object({
      system: authored,
      channel: structure,
      endpoint: structure,
      outside: structure,
      patientFacing: structure,
      encrypted: structure,
      encryptionNote: structure,
      classes: structure,
      flows: authored,
    }),
  ),
  review: nullable(object({ reviewedOn: structure, reviewedBy: structure })),
  reviewDue: structure,
  overdue: structure,
})

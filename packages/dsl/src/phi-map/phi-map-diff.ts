// What a change does to the PHI touchpoint map: touchpoints added and removed between the
// published version and a draft, each with a plain sentence for reviewers
// ("clinical data now sent to SMS gateway (outside, channel: sms, encrypted: unknown) by “Text the result”").
import type { PhiMap, PhiTouchpoint } from './phi-map.schema.ts'
import { describeEndpoint, describeWithheld, touchpointKey } from './phi-map.ts'

/** One touchpoint that appeared or went away. */
export interface PhiMapChange {
  change: 'added' | 'removed'
  touchpoint: PhiTouchpoint
  /** A sentence a reviewer reads. */
  summary: string
}

/** The map's differences, added first, each in the map's own order. */
export interface PhiMapDiff {
  added: PhiMapChange[]
  removed: PhiMapChange[]
  /** PHI classes the draft touches that the published version did not touch at all. */
  newClasses: string[]
}

const by = (node: string) => ` by “${node}”`

/** A sentence for one touchpoint, as it reads once added (`now …`) or removed (`no longer …`). */
export function describeTouchpoint(t: PhiTouchpoint, change: PhiMapChange['change']): string {
  const now = change === 'added' ? 'now' : 'no longer'
  const what = `${t.phiClass} data`
  // The flow asks for it, but the queue's clearance keeps it from the queue's people.
  if (t.withheld) return `${what} ${now} ${describeWithheld(t)}`
  switch (t.kind) {
    case 'enters':
      return `${what} ${now} enters through “${t.where}” (${t.source ?? 'run input'})`
    case 'read':
      return `${what} ${now} read${by(t.where)}`
    case 'written':
      return `${what} ${now} written${by(t.where)}`
    case 'sent':
      return `${what} ${now} sent to ${t.endpoint ? describeEndpoint(t.endpoint) : 'a connector'}${by(t.where)}`
    case 'shown':
      return `${what} ${now} shown to the ${t.queue ?? ''} queue${by(t.where)}`
    case 'may-see':
      return `${what} ${change === 'added' ? 'now visible' : 'no longer visible'} to the ${t.queue ?? t.where} queue`
  }
}

/**
 * Touchpoints in `after` that `before` lacks, and the other way round. Rows are matched by
 * class, kind, node id, queue and system, so renaming a node is not a new touchpoint, while
 * sending the same class to a new system is. Whether a queue's clearance withholds a row is not
 * matched on: a clearance change is the admin's, not the flow's, and invents no line here.
 * `before` absent (nothing published yet): all added.
 */
export function diffPhiMaps(before: PhiMap | undefined, after: PhiMap): PhiMapDiff {
  const beforeRows = before?.touchpoints ?? []
  const beforeKeys = new Set(beforeRows.map(touchpointKey))
  const afterKeys = new Set(after.touchpoints.map(touchpointKey))
  const added = after.touchpoints
    .filter((t) => !beforeKeys.has(touchpointKey(t)))
    .map((touchpoint) => ({ change: 'added' as const, touchpoint, summary: describeTouchpoint(touchpoint, 'added') }))
  const removed = beforeRows
    .filter((t) => !afterKeys.has(touchpointKey(t)))
    .map((touchpoint) => ({
      change: 'removed' as const,
      touchpoint,
      summary: describeTouchpoint(touchpoint, 'removed'),
    }))
  const beforeClasses = new Set(beforeRows.map((t) => t.phiClass))
  const newClasses = after.classes.map((c) => c.phiClass).filter((c) => !beforeClasses.has(c))
  return { added, removed, newClasses }
}

/** Whether the change touches the map at all. */
export const isEmptyPhiMapDiff = (diff: PhiMapDiff) => diff.added.length === 0 && diff.removed.length === 0

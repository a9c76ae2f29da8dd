// The PHI map's calls to the runtime, typed by its router.
import type { FlowDocument } from '@carepath/dsl'
import { call, trpc, type RouterOutputs } from '../../api/trpc-client.ts'

export type PhiMapView = RouterOutputs['phiMap']['preview']
export type PhiMapDiffView = RouterOutputs['phiMap']['diff']
export type PhiMapRollupView = RouterOutputs['phiMap']['rollup']

export const phiMapApi = {
  /** The map of the document as the editor holds it, with the installation's connector settings. */
  preview: (document: FlowDocument) => call(trpc.phiMap.preview.mutate({ document })),
  /** What the saved draft adds to and removes from the published version's map. */
  diff: (id: string) => call(trpc.phiMap.diff.query({ id })),
  rollup: () => call(trpc.phiMap.rollup.query()),
  markReviewed: () => call(trpc.phiMap.markReviewed.mutate()),
}

// The settings review's procedures as the designer calls them (types from the runtime's router).
import { call, trpc, type RouterInputs, type RouterOutputs } from '../../api/trpc-client.ts'

/** The current revision, the changes waiting for a second person and the latest applied ones. */
export type SettingsReview = RouterOutputs['settings']['review']
/** One proposed or applied settings change, its diff masked. */
export type SettingsRevision = SettingsReview['pending'][number]
/** One changed setting in a revision's diff. */
export type SettingsChange = SettingsRevision['changes'][number]
/** The connector settings as anyone may read them: credentials read "set" (or null), never a value. */
export type MaskedSettings = RouterOutputs['settings']['integrations']
export type SettingsProposalInput = RouterInputs['settings']['propose']

/** A published version running with an older settings revision than the current one. */
export type PinnedVersion = RouterOutputs['settings']['pins'][number]

export const settingsReviewApi = {
  pins: () => call(trpc.settings.pins.query()),
  proposeRepin: (flowId: string, hash: string, reason: string) =>
    call(trpc.settings.proposeRepin.mutate({ flowId, hash, reason })),
  current: () => call(trpc.settings.integrations.query()),
  review: () => call(trpc.settings.review.query()),
  propose: (input: SettingsProposalInput) => call(trpc.settings.propose.mutate(input)),
  approve: (id: string, note: string) => call(trpc.settings.approve.mutate({ id, note })),
  reject: (id: string, note: string) => call(trpc.settings.reject.mutate({ id, note })),
}

import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'
import { AppError } from '../../errors.ts'
import { keepStoredSecrets, maskSecrets } from '../../integrations/settings-secrets.ts'
import { NO_FACTS } from '../../phi/redaction-policy.ts'
import { settingsRevisionPolicy } from '../../phi/settings-revision.policy.ts'
import {
  repinProposalSchema,
  settingsDecisionSchema,
  settingsProposalSchema,
} from '../../settings-review/settings-revision.schema.ts'
import type { SettingsRevisionView } from '../../settings-review/settings-revision.schema.ts'
import { procedureFor, router } from '../trpc.ts'
import { auditActor } from '../../auth/auth.service.ts'

const developer = procedureFor('developer')
// Who may propose a settings change and read the review: the people who keep the connectors.
const settingsEditor = procedureFor('developer', 'admin')
// Who may decide one: an admin who did not propose it (four eyes, checked by the service).
const settingsApprover = procedureFor('admin')

const shown = (view: SettingsRevisionView) => settingsRevisionPolicy(view, NO_FACTS)

export const settingsRouter = router({
  /** Connector settings per environment (FHIR base URL, payer endpoints, ...); credentials read as "set" or null, never their value. */
  integrations: settingsEditor.query(({ ctx }) => maskSecrets(ctx.runtime.integrations.get())),
  /**
   * First-time set-up only: while no settings revision exists, the settings are stored at once as
   * revision 1. After that every change is a proposal (`propose`) a second person approves.
   */
  setIntegrations: developer.input(z.record(z.string(), jsonValueSchema)).mutation(async ({ ctx, input }) => {
    if ((await ctx.runtime.settingsReview.currentNumber()) !== null)
      throw new AppError(
        'conflict',
        'The settings are already set up; a change is proposed for review (settings.propose) and applies once another person approves it.',
      )
    const merged = keepStoredSecrets(input, ctx.runtime.integrations.get())
    if (!merged.ok)
      throw new AppError('bad-input', `No secret is stored at "${merged.path}" to keep; enter its value.`, {
        path: merged.path,
      })
    await ctx.runtime.integrations.set(merged.value, auditActor(ctx.principal))
    return { ok: true as const, revision: await ctx.runtime.settingsReview.currentNumber() }
  }),
  /** The current revision, the changes waiting for a second person and the latest applied ones (diffs masked). */
  review: settingsEditor.query(async ({ ctx }) => ({
    current: await ctx.runtime.settingsReview.currentNumber(),
    pending: (await ctx.runtime.settingsReview.pending()).map(shown),
    history: (await ctx.runtime.settingsReview.history(20)).map(shown),
  })),
  /** Propose a settings change; nothing applies until another admin approves it. */
  propose: settingsEditor
    .input(settingsProposalSchema)
    .mutation(async ({ ctx, input }) =>
      shown(await ctx.runtime.settingsReview.propose(input, auditActor(ctx.principal))),
    ),
  /** Published versions still running with an older settings revision than the current one. */
  pins: settingsEditor.query(({ ctx }) => ctx.runtime.settingsReview.behind()),
  /** Propose moving one published version to the current settings; applies once another admin approves it. */
  proposeRepin: settingsEditor
    .input(repinProposalSchema)
    .mutation(async ({ ctx, input }) =>
      shown(await ctx.runtime.settingsReview.proposeRepin(input, auditActor(ctx.principal))),
    ),
  /** Approve someone else's proposal: it becomes the next revision and applies at once. */
  approve: settingsApprover
    .input(settingsDecisionSchema)
    .mutation(async ({ ctx, input }) =>
      shown(await ctx.runtime.settingsReview.approve(input.id, input.note, auditActor(ctx.principal))),
    ),
  /** Reject someone else's proposal: nothing changes. */
  reject: settingsApprover
    .input(settingsDecisionSchema)
    .mutation(async ({ ctx, input }) =>
      shown(await ctx.runtime.settingsReview.reject(input.id, input.note, auditActor(ctx.principal))),
    ),
})

// Proposing a settings change, or moving one published version to the current revision: either
// is stored sealed, with its masked diff and its audit record in one transaction, and changes
// nothing else until a second person decides it (settings-decisions.ts).
import { randomUUID } from 'node:crypto'
import type { JsonValue } from '@carepath/dsl'
import { settingsProposed, type AuditActor } from '../audit/audit-entries.ts'
import { settingsRevisions } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { keepStoredSecrets } from '../integrations/settings-secrets.ts'
import { sealJson } from '../keys/sealed-json.ts'
import { diffSettings, type SettingsChange } from './settings-diff.ts'
import type { SettingsRevisionReads } from './settings-revision-reads.ts'
import type { RepinProposal, SettingsProposal, SettingsRevisionView } from './settings-revision.schema.ts'
import type { SettingsRevisionsDeps } from './settings-revisions.service.ts'
import { revisionAad } from './settings-snapshot.ts'

/** Proposals of a settings change and of a re-pin, each waiting for a second person. */
export function createSettingsProposals(
  deps: Pick<SettingsRevisionsDeps, 'store' | 'audit' | 'now' | 'cipher' | 'current' | 'check'>,
  reads: Pick<SettingsRevisionReads, 'currentNumber' | 'pinOf' | 'proposalRow' | 'view'>,
) {
  const { store, audit, now, cipher } = deps
  const { currentNumber, pinOf, proposalRow, view } = reads
  const db = store.db

  /**
   * A proposal stored sealed, waiting for a second person, with its audit record in the same
   * transaction (the revision it is based on read inside it).
   */
  async function storeProposal(proposal: {
    kind: 'reviewed' | 'repin'
    pin?: { flowId: string; hash: string }
    baseNumber: () => Promise<number | null>
    value: JsonValue
    changes: SettingsChange[]
    applyToRunning: boolean
    reason: string
    actor: AuditActor
  }): Promise<SettingsRevisionView> {
    const { changes, actor } = proposal
    const id = randomUUID()
    await store.transaction(async () => {
      await db.insert(settingsRevisions).values({
        id,
        number: null,
        status: 'proposed',
        kind: proposal.kind,
        ...(proposal.pin ? { pinFlowId: proposal.pin.flowId, pinHash: proposal.pin.hash } : {}),
        baseNumber: await proposal.baseNumber(),
        value: await sealJson(cipher, 'settings', revisionAad(id), proposal.value),
        diff: changes,
        applyToRunning: proposal.applyToRunning,
        reason: proposal.reason,
        proposedBy: actor.who,
        proposedAt: now().getTime(),
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
      })
      await audit.record(
        settingsProposed(actor, {
          proposal: id,
          changes: changes.map(({ path, change, credential }) => ({ path, change, credential })),
          applyToRunning: proposal.applyToRunning,
          reason: proposal.reason,
        }),
      )
    })
    return view(await proposalRow(id))
  }

  /** Propose a change (the whole settings object; a credential sent as "set" keeps the stored one). */
  async function propose(input: SettingsProposal, actor: AuditActor): Promise<SettingsRevisionView> {
    const stored = deps.current()
    const merged = keepStoredSecrets(input.settings, stored)
    if (!merged.ok)
      throw new AppError('bad-input', `No secret is stored at "${merged.path}" to keep; enter its value.`, {
        path: `settings.${merged.path}`,
      })
    deps.check(merged.value)
    const changes = diffSettings(stored, merged.value)
    if (changes.length === 0)
      throw new AppError('bad-input', 'These settings are the same as the current ones; there is nothing to review.', {
        path: 'settings',
      })
    return storeProposal({
      kind: 'reviewed',
      baseNumber: currentNumber,
      value: merged.value,
      changes,
      applyToRunning: input.applyToRunning,
      reason: input.reason,
      actor,
    })
  }

  /** Propose moving one published version to the current revision (a second person approves it). */
  async function proposeRepin(input: RepinProposal, actor: AuditActor): Promise<SettingsRevisionView> {
    const pinned = await pinOf(input.flowId, input.hash)
    const current = await currentNumber()
    if (pinned === undefined || current === null)
      throw new AppError(
        'bad-input',
        'This version has no settings revision of its own: it was never published, or it runs with the current settings.',
        { path: 'hash' },
      )
    if (pinned === current)
      throw new AppError('bad-input', `This version already runs with the current settings (revision ${current}).`, {
        path: 'hash',
      })
    const changes = [
      {
        path: `${input.flowId} version ${input.hash.slice(0, 12)}: settings revision`,
        change: 'changed' as const,
        credential: false,
        before: pinned,
        after: current,
      },
    ]
    return storeProposal({
      kind: 'repin',
      pin: { flowId: input.flowId, hash: input.hash },
      baseNumber: async () => current,
      value: {},
      changes,
      applyToRunning: false,
      reason: input.reason,
      actor,
    })
  }

  return { propose, proposeRepin }
}

// The governance part of the review: what the change touches (its footprint), the sign-offs the
// approval policy asks for and why, who gave which, the flow's owners, and, for a person who may
// give a sign-off still needed, a button per sign-off.
import { useState } from 'react'
import { api, type ReviewState } from '../../api/carepath-api.ts'
import { when } from '../../screens/state-views.tsx'
import { OWNER_TITLES, ownerWords, SIGN_OFF_TITLES } from './owner-words.ts'

export function ApprovalsSection({
  flowId,
  state,
  busy,
  act,
}: {
  flowId: string
  state: ReviewState
  busy: boolean
  act(label: string, work: () => Promise<unknown>): Promise<void>
}) {
  const [comment, setComment] = useState('')
  const footprint = state.footprint ?? []
  return (
    <section className="cp-card inline" aria-labelledby="approvals-heading" data-testid="approvals">
      <h4 id="approvals-heading">Sign-offs</h4>
      {state.signOffs.length === 0 ? (
        <p className="cp-hint">Submit the draft to see what it touches and which sign-offs it needs.</p>
      ) : (
        <ul className="cp-signoffs" data-testid="sign-offs">
          {state.signOffs.map((s) => (
            <li key={s.kind} data-testid={`sign-off-${s.kind}`} data-done={s.done}>
              {s.done ? '✓' : '○'} <strong>{SIGN_OFF_TITLES[s.kind] ?? s.kind}</strong>
              {s.count > 1 && ` (${s.count} people)`}:{' '}
              {s.signedBy.length > 0
                ? s.signedBy.map((g) => `signed by ${g.by} ${when(g.at)}`).join('; ')
                : 'still needed'}
              <ul className="cp-hint">
                {s.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {footprint.length > 0 && (
        <details>
          <summary>What this change touches ({footprint.length})</summary>
          <ul data-testid="footprint">
            {footprint.map((f) => (
              <li key={`${f.kind}:${f.reason}`}>{f.reason}</li>
            ))}
          </ul>
        </details>
      )}
      <p className="cp-hint" data-testid="review-owners">
        Owners:{' '}
        {state.owners
          .filter((o) => o.users.length + o.otherRecipients > 0)
          .map((o) => `${OWNER_TITLES[o.kind] ?? o.kind}: ${ownerWords(o)}`)
          .join(' · ') || 'none named yet.'}
      </p>
      {state.yourSignOffs.length > 0 && (
        <div className="cp-row">
          <label className="cp-field">
            <span className="cp-field-label">Your sign-off comment</span>
            <textarea
              className="cp-input"
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              data-testid="sign-off-comment"
            />
          </label>
          {state.yourSignOffs.map((kind) => (
            <button
              key={kind}
              type="button"
              className="cp-btn primary"
              disabled={busy}
              onClick={() =>
                void act(`Signed off as ${SIGN_OFF_TITLES[kind] ?? kind}.`, async () => {
                  await api.approveAs({
                    id: flowId,
                    hash: state.hash,
                    documentHash: state.documentHash,
                    as: kind,
                    comment,
                  })
                  setComment('')
                })
              }
              data-testid={`approve-as-${kind}`}
            >
              Approve as {SIGN_OFF_TITLES[kind] ?? kind}
            </button>
          ))}
        </div>
      )}
    </section>
  )
}

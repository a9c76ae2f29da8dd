// Review: submit the saved draft (the server runs and stores the simulation report), read the
// report, approve or reject with a comment (reviewers who are not the author), publish. Why
// publishing is blocked is listed in plain sentences.
import { useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { ApiError } from '../api/trpc-client.ts'
import { useLoader } from '../api/use-loader.ts'
import type { FlowDetail, ReviewState } from '../api/carepath-api.ts'
import { useSession } from '../store/session.store.ts'
import { useEditor } from '../store/editor.store.ts'
import { ErrorState, Loading, when } from '../screens/state-views.tsx'
import { readReport } from './simulation-report.ts'
import { ReviewDiffSection } from './review-diff-section.tsx'
import { CaseResults, resultCounts } from '../suites/case-results.tsx'
import { readSuite, useSuiteStore } from '../suites/suite.store.ts'
import { PhiMapDiffSection } from '../features/phi-map/phi-map-diff-section.tsx'
import { ApprovalsSection } from '../features/governance/approvals-section.tsx'
import { ReviewSuiteDiff } from '../features/suite-diff/review-suite-diff.tsx'
import { EvidenceList } from '../features/governance/evidence-list.tsx'

export function ReviewPanel({
  flowId,
  detail,
  onChanged,
}: {
  flowId: string
  detail: FlowDetail | null
  onChanged(): void
}) {
  const review = useLoader(() => api.getReview(flowId).catch(() => null), [flowId])
  // What each test case expects (auditors may not read the cases: then the report alone shows).
  const suite = useLoader(
    () =>
      api.suite(flowId).then(
        (s) => readSuite(flowId, [s]),
        () => null,
      ),
    [flowId, review.data?.hash],
  )
  const casesDirty = useSuiteStore((s) => s.dirty)
  const [reason, setReason] = useState('')
  const user = useSession((s) => s.user)
  const dirty = useEditor((s) => s.dirty)
  const revision = useEditor((s) => s.revision)
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const act = async (label: string, work: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      await work()
      setNotice(label)
      setComment('')
      review.reload()
      onChanged()
    } catch (e) {
      const blockers = e instanceof ApiError ? e.data?.blockers : undefined
      setError(
        `${e instanceof Error ? e.message : 'That did not work.'}${blockers?.length ? ` ${blockers.join(' ')}` : ''}`,
      )
    } finally {
      setBusy(false)
    }
  }

  if (review.loading && !review.data) return <Loading what="the review" />
  const state: ReviewState | null = review.data ?? null
  const hash = state?.hash ?? detail?.draft.hash ?? ''
  const author = state?.submittedBy ?? detail?.draft.author ?? null
  const isReviewer = user?.role === 'reviewer' || user?.role === 'admin'
  const isAuthor = Boolean(author && user?.username === author)
  // One sign-off per person per review: the server refuses a second, so the button says so first.
  const youApproved = Boolean(user && state?.approvals.some((a) => a.by === user.username))
  const canEdit = user?.role === 'analyst' || user?.role === 'developer'
  const open = state && (state.reviewStatus === 'open' || state.status === 'in-review')
  const cases = state?.report ? readReport(state.report) : []
  const blockers = state?.publishBlockers ?? []
  const failingOwn = cases.filter((c) => c.source === 'suite' && c.failures.length > 0)
  const expectations = new Map((suite.data?.cases ?? []).map((c) => [c.id, c.expect?.outcome]))
  const submitted = state?.status === 'in-review' || state?.status === 'approved'
  const unsaved = dirty || casesDirty
  const warnings = state?.publishWarnings ?? []

  return (
    <div className="cp-panel" data-testid="review-panel">
      <h3>Review</h3>
      {review.error && <ErrorState message={review.error} retry={review.reload} />}
      <p>
        Status:{' '}
        <span className={`cp-status s-${state?.status ?? detail?.status}`} data-testid="review-status">
          {state?.status ?? detail?.status ?? 'not submitted'}
        </span>
        {hash && <small className="cp-hint"> · version {hash.slice(0, 10)}</small>}
        {author && <small className="cp-hint"> · submitted by {author}</small>}
        {state?.reviewStatus && <small className="cp-hint"> · review {state.reviewStatus}</small>}
      </p>
      {canEdit && (
        <div className="cp-card inline">
          {unsaved || revision === 0 ? (
            <p className="cp-hint">Save the draft (and its test cases) before submitting it for review.</p>
          ) : submitted ? (
            <p className="cp-hint">This version is with the reviewers. Saving a change takes it back to draft.</p>
          ) : (
            <p className="cp-hint">
              Submitting runs your test cases and the generated ones (the same simulation as the Simulate tab) and
              attaches the report for the reviewers.
            </p>
          )}
          <button
            type="button"
            className="cp-btn primary"
            disabled={busy || unsaved || revision === 0 || submitted}
            onClick={() => void act('Submitted for review.', () => api.submitReview(flowId))}
            data-testid="review-submit"
          >
            Submit for review
          </button>
        </div>
      )}
      {hash && <ReviewDiffSection flowId={flowId} hash={hash} published={detail?.published ?? null} />}
      {hash && detail?.published && detail.published.hash !== hash && (
        <ReviewSuiteDiff flowId={flowId} hash={hash} publishedHash={detail.published.hash} />
      )}
      {state?.report && (
        <section data-testid="review-report">
          <h4 data-testid="review-summary">Simulation report: {resultCounts(cases)}</h4>
          <p className="cp-hint">
            Report <code data-testid="review-report-hash">{state.reportHash?.slice(0, 12) ?? '—'}</code>, the same hash
            the Simulate tab shows for this saved draft.
          </p>
          <CaseResults cases={cases} expectations={expectations} testId="review-results" />
        </section>
      )}
      {submitted && <PhiMapDiffSection flowId={flowId} hash={hash} />}
      {state && <ApprovalsSection flowId={flowId} state={state} busy={busy} act={act} />}
      {(state?.approvals.length ?? 0) + (state?.comments.length ?? 0) > 0 && (
        <section>
          <h4>Decisions and comments</h4>
          <ul className="cp-comments" data-testid="review-comments">
            {!state?.comments.length &&
              state?.approvals.map((a, i) => (
                <li key={`a${i}`}>
                  ✓ <strong>{a.by}</strong> approved {a.comment && `— “${a.comment}”`}{' '}
                  <small className="cp-hint">{when(a.at)}</small>
                </li>
              ))}
            {state?.comments.map((c, i) => (
              <li key={`c${i}`}>
                {c.kind === 'reject' ? '✗' : c.kind === 'approve' ? '✓' : '✎'} <strong>{c.by}</strong>{' '}
                {c.kind === 'reject' ? 'rejected' : c.kind === 'approve' ? 'approved' : 'commented'}
                {c.comment && ` — “${c.comment}”`} <small className="cp-hint">{when(c.at)}</small>
              </li>
            ))}
          </ul>
        </section>
      )}
      {isReviewer && open && (
        <div className="cp-card inline">
          {isAuthor ? (
            <p className="cp-hint">You wrote this version, so someone else must review it (four eyes).</p>
          ) : (
            <>
              <label className="cp-field">
                <span className="cp-field-label">Comment</span>
                <textarea
                  className="cp-input"
                  rows={2}
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  data-testid="review-comment"
                />
              </label>
              {youApproved && (
                <p className="cp-hint" data-testid="review-you-approved">
                  You approved this version; another person gives the next sign-off.
                </p>
              )}
              <div className="cp-row">
                <button
                  type="button"
                  className="cp-btn primary"
                  disabled={busy || youApproved}
                  onClick={() => void act('Approved.', () => api.approve(flowId, hash, comment))}
                  data-testid="review-approve"
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="cp-btn danger"
                  disabled={busy || !comment.trim()}
                  title={comment.trim() ? '' : 'Say why in a comment'}
                  onClick={() => void act('Rejected.', () => api.reject(flowId, hash, comment))}
                  data-testid="review-reject"
                >
                  Reject
                </button>
              </div>
            </>
          )}
        </div>
      )}
      {state && <EvidenceList target={{ kind: 'review', flowId, subject: hash }} canAttach={canEdit || isReviewer} />}
      {state && (
        <section className="cp-card inline">
          <h4>Publish</h4>
          {blockers.length > 0 ? (
            <ul className="cp-blockers" data-testid="publish-blockers">
              {blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          ) : (
            <p className="cp-hint">Nothing blocks publishing this version.</p>
          )}
          {state.override && (
            <p className="cp-hint" data-testid="review-override-note">
              {state.override.by} let {state.override.cases.length} failing test case
              {state.override.cases.length === 1 ? '' : 's'} through: “{state.override.reason}”
            </p>
          )}
          {isReviewer && !isAuthor && submitted && failingOwn.length > 0 && !state.override && (
            <div className="cp-override">
              <label className="cp-field">
                <span className="cp-field-label">
                  Publish although {failingOwn.length === 1 ? 'a test case fails' : 'test cases fail'}: why?
                </span>
                <textarea
                  className="cp-input"
                  rows={2}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  data-testid="review-override-reason"
                />
              </label>
              <button
                type="button"
                className="cp-btn danger"
                disabled={busy || reason.trim().length < 10}
                title={reason.trim().length < 10 ? 'Write, in a sentence, why' : ''}
                onClick={() =>
                  void act('Failing test cases let through; the reason is in the audit trail.', async () => {
                    await api.overrideFailingCases(flowId, hash, reason)
                    setReason('')
                  })
                }
                data-testid="review-override"
              >
                Let the failing cases through
              </button>
            </div>
          )}
          {warnings.length > 0 && (
            <>
              <p className="cp-hint">Publishing is allowed, but on this installation:</p>
              <ul className="cp-warnings" data-testid="publish-warnings">
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </>
          )}
          {isReviewer && (
            <button
              type="button"
              className="cp-btn primary"
              disabled={busy || blockers.length > 0}
              onClick={() => void act('Published.', () => api.publish(flowId, hash))}
              data-testid="review-publish"
            >
              Publish
            </button>
          )}
        </section>
      )}
      {notice && (
        <p className="cp-ok-text" data-testid="review-notice">
          {notice}
        </p>
      )}
      {error && <ErrorState message={error} />}
    </div>
  )
}

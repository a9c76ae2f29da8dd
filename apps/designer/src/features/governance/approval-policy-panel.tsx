// The approval policy, for admins: which sign-offs each kind of change needs. A change is
// proposed here and takes effect only when another admin approves it (both audited). A form of
// checkboxes, with the JSON one click away for what the form cannot say (two reviewers, say).
import { useState } from 'react'
import { FOOTPRINT_KINDS } from '@carepath/dsl'
import { api, type ApprovalPolicyState } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { useSession } from '../../store/session.store.ts'
import { ErrorState, Loading, when } from '../../screens/state-views.tsx'
import { SIGN_OFF_TITLES } from './owner-words.ts'

type Policy = ApprovalPolicyState['policy']
const SIGN_OFFS = Object.keys(SIGN_OFF_TITLES)

/** Each footprint kind in words. */
const KIND_TITLES: Record<string, string> = {
  'phi-sent-outside': 'A class of patient data newly sent outside',
  'phi-read': 'A class of patient data newly read',
  'phi-written': 'A class of patient data newly written',
  'outside-connector': 'A new outside system or endpoint',
  'patient-facing': 'A new channel to patients (SMS, e-mail)',
  threshold: 'A decision’s thresholds',
  behaviour: 'Any other behaviour',
  text: 'Text only (titles, descriptions)',
}

function toggled(policy: Policy, kind: (typeof FOOTPRINT_KINDS)[number], signOff: string): Policy {
  const current = policy.requirements[kind] ?? []
  const next = current.some((s) => s === signOff)
    ? current.filter((s) => s !== signOff)
    : [...current, ...SIGN_OFFS.filter((s) => s === signOff)]
  return { ...policy, requirements: { ...policy.requirements, [kind]: next } }
}

export function ApprovalPolicyPanel() {
  const state = useLoader(() => api.approvalPolicy(), [])
  const me = useSession((s) => s.user?.username)
  const [draft, setDraft] = useState<Policy | null>(null)
  const [json, setJson] = useState<string | null>(null)
  const [status, setStatus] = useState<{ ok?: string; error?: string }>({})
  const policy = draft ?? state.data?.policy ?? null
  const proposal = state.data?.proposal ?? null

  const act = async (done: string, work: () => Promise<unknown>) => {
    setStatus({})
    try {
      await work()
      setStatus({ ok: done })
      setDraft(null)
      setJson(null)
      state.reload()
    } catch (e) {
      setStatus({ error: e instanceof Error ? e.message : 'That did not work.' })
    }
  }
  const propose = () => {
    if (json === null)
      return act('Proposed; another admin approves it before it takes effect.', () =>
        api.proposeApprovalPolicy(policy ?? {}),
      )
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch {
      setStatus({ error: 'The JSON does not parse; check its brackets and quotes.' })
      return Promise.resolve()
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setStatus({ error: 'The policy is one JSON object with "requirements".' })
      return Promise.resolve()
    }
    return act('Proposed; another admin approves it before it takes effect.', () =>
      api.proposeApprovalPolicy(Object.fromEntries(Object.entries(parsed))),
    )
  }

  return (
    <section aria-labelledby="approval-policy-heading" data-testid="approval-policy">
      <h3 id="approval-policy-heading">Approval policy</h3>
      <p className="cp-hint">
        Which sign-offs a change to a flow needs, from what it touches. A change to this policy is proposed here and
        takes effect when another admin approves it.
        {state.data?.isDefault && ' The shipped default is in effect.'}
      </p>
      {status.error && <ErrorState message={status.error} />}
      {status.ok && (
        <p className="cp-ok-text" role="status" data-testid="approval-policy-notice">
          {status.ok}
        </p>
      )}
      {state.loading && !state.data && <Loading what="the approval policy" />}
      {state.error && <ErrorState message={state.error} retry={state.reload} />}
      {proposal && (
        <div className="cp-card inline" data-testid="approval-policy-proposal">
          <p>
            {proposal.proposedBy} proposed a change {when(proposal.proposedAt)}:
          </p>
          <ul>
            {FOOTPRINT_KINDS.map((kind) => (
              <li key={kind}>
                {KIND_TITLES[kind]}:{' '}
                {(proposal.policy.requirements[kind] ?? ['reviewer']).map((s) => SIGN_OFF_TITLES[s]).join(', ') ||
                  'a reviewer'}
              </li>
            ))}
          </ul>
          <div className="cp-row">
            {proposal.proposedBy !== me ? (
              <button
                type="button"
                className="cp-btn primary"
                onClick={() => void act('The new policy is in effect.', api.approveApprovalPolicy)}
                data-testid="approval-policy-approve"
              >
                Approve the change
              </button>
            ) : (
              <span className="cp-hint">You proposed it; another admin approves it.</span>
            )}
            <button
              type="button"
              className="cp-btn ghost"
              onClick={() => void act('The proposal was discarded.', api.discardApprovalPolicy)}
              data-testid="approval-policy-discard"
            >
              Discard
            </button>
          </div>
        </div>
      )}
      {policy && json === null && (
        <table className="cp-table" data-testid="approval-policy-form">
          <caption className="cp-hint">Sign-offs each kind of change needs (none ticked: one reviewer)</caption>
          <thead>
            <tr>
              <th scope="col">The change touches</th>
              {SIGN_OFFS.map((s) => (
                <th scope="col" key={s}>
                  {SIGN_OFF_TITLES[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {FOOTPRINT_KINDS.map((kind) => (
              <tr key={kind}>
                <th scope="row">{KIND_TITLES[kind]}</th>
                {SIGN_OFFS.map((s) => (
                  <td key={s}>
                    <input
                      type="checkbox"
                      aria-label={`${KIND_TITLES[kind]}: ${SIGN_OFF_TITLES[s]}`}
                      checked={(policy.requirements[kind] ?? []).some((k) => k === s)}
                      onChange={() => setDraft(toggled(policy, kind, s))}
                      data-testid={`policy-${kind}-${s}`}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {json !== null && (
        <label className="cp-field">
          <span className="cp-field-label">The policy as JSON</span>
          <textarea
            className="cp-input mono"
            rows={12}
            value={json}
            onChange={(e) => setJson(e.target.value)}
            data-testid="approval-policy-json"
          />
        </label>
      )}
      <div className="cp-row">
        <button
          type="button"
          className="cp-btn"
          onClick={() => setJson(json === null ? JSON.stringify(policy, null, 2) : null)}
          data-testid="approval-policy-json-toggle"
        >
          {json === null ? 'Edit as JSON' : 'Back to the form'}
        </button>
        <button
          type="button"
          className="cp-btn primary"
          disabled={!policy}
          onClick={() => void propose()}
          data-testid="approval-policy-propose"
        >
          Propose this policy
        </button>
      </div>
    </section>
  )
}

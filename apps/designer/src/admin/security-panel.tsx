// The installation's security settings, for admins: which roles must log in with a second factor
// (and whether an identity provider's MFA counts), how many days each flow's run data is kept
// before it is shredded, and how many days inbound HL7 messages are kept (audit records are kept at
// least six years whatever is set here).
import { useState } from 'react'
import { api, type MfaPolicy } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../screens/state-views.tsx'

const ROLES = ['analyst', 'developer', 'reviewer', 'agent', 'auditor', 'admin', 'operator', 'compliance'] as const

export function SecurityPanel() {
  const policy = useLoader(() => api.mfaPolicy(), [])
  const retention = useLoader(() => api.retention(), [])
  const [draft, setDraft] = useState<MfaPolicy | null>(null)
  const [flowId, setFlowId] = useState('')
  const [days, setDays] = useState('')
  const [inboundDays, setInboundDays] = useState('')
  const [status, setStatus] = useState<{ ok?: string; error?: string }>({})
  const current = draft ?? policy.data ?? null

  const act = async (done: string, work: () => Promise<unknown>) => {
    setStatus({})
    try {
      await work()
      setStatus({ ok: done })
      policy.reload()
      retention.reload()
    } catch (e) {
      setStatus({ error: e instanceof Error ? e.message : 'That did not work.' })
    }
  }

  return (
    <section aria-labelledby="security-heading" data-testid="security-panel">
      <h3 id="security-heading">Security</h3>
      {status.error && <ErrorState message={status.error} />}
      {status.ok && (
        <p className="cp-ok-text" role="status" data-testid="security-notice">
          {status.ok}
        </p>
      )}
      {policy.loading && !policy.data ? (
        <Loading what="the second-factor policy" />
      ) : policy.error ? (
        <ErrorState message={policy.error} retry={policy.reload} />
      ) : current ? (
        <form
          className="cp-card"
          aria-labelledby="mfa-policy-heading"
          onSubmit={(e) => {
            e.preventDefault()
            void act('Second-factor policy saved.', async () => {
              await api.setMfaPolicy(current)
              setDraft(null)
            })
          }}
        >
          <h4 id="mfa-policy-heading">Second factor at log-in</h4>
          <fieldset className="cp-checks">
            <legend>Roles that must use an authenticator app or a passkey</legend>
            {ROLES.map((role) => (
              <label key={role} className="cp-inline-label">
                <input
                  type="checkbox"
                  checked={current.required.includes(role)}
                  data-testid={`mfa-role-${role}`}
                  onChange={(e) =>
                    setDraft({
                      ...current,
                      required: e.target.checked
                        ? [...current.required, role]
                        : current.required.filter((r) => r !== role),
                    })
                  }
                />{' '}
                {role}
              </label>
            ))}
          </fieldset>
          <label className="cp-inline-label">
            <input
              type="checkbox"
              checked={current.acceptIdpMfa}
              data-testid="mfa-accept-idp"
              onChange={(e) => setDraft({ ...current, acceptIdpMfa: e.target.checked })}
            />{' '}
            Accept the identity provider’s MFA at single sign-on
          </label>
          <p className="cp-hint">
            Exempt by name (password alone): {current.passwordOnly.length ? current.passwordOnly.join(', ') : 'nobody'}.
          </p>
          <button type="submit" className="cp-btn primary" disabled={!draft} data-testid="mfa-policy-save">
            Save policy
          </button>
        </form>
      ) : null}

      {retention.loading && !retention.data ? (
        <Loading what="the retention periods" />
      ) : retention.error ? (
        <ErrorState message={retention.error} retry={retention.reload} />
      ) : retention.data ? (
        <form
          className="cp-card"
          aria-labelledby="retention-heading"
          onSubmit={(e) => {
            e.preventDefault()
            const id = flowId.trim()
            void act(
              days ? `Run data of ${id} is kept ${days} days.` : `Run data of ${id} is kept with no limit.`,
              () => api.setRetention(id, days ? Number(days) : null),
            )
          }}
        >
          <h4 id="retention-heading">Retention of run data</h4>
          <p className="cp-hint">
            Audit records are kept at least {retention.data.auditYears} years. A flow’s run data past its period is
            shredded once its runs have ended.
          </p>
          {Object.keys(retention.data.runsDays).length === 0 ? (
            <Empty>No flow has a retention period: run data is kept.</Empty>
          ) : (
            <table className="cp-table compact" data-testid="retention-list">
              <thead>
                <tr>
                  <th scope="col">Flow</th>
                  <th scope="col">Days kept</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(retention.data.runsDays).map(([flow, kept]) => (
                  <tr key={flow}>
                    <td>{flow}</td>
                    <td>{kept}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="cp-row">
            <label className="cp-field">
              <span className="cp-field-label">Flow id</span>
              <input
                className="cp-input"
                value={flowId}
                data-testid="retention-flow"
                onChange={(e) => setFlowId(e.target.value)}
              />
            </label>
            <DaysField value={days} onChange={setDays} testId="retention-days" />
          </div>
          <button type="submit" className="cp-btn" disabled={!flowId.trim()} data-testid="retention-save">
            Set retention
          </button>
        </form>
      ) : null}

      {retention.data ? (
        <form
          className="cp-card"
          aria-labelledby="inbound-retention-heading"
          onSubmit={(e) => {
            e.preventDefault()
            void act(
              inboundDays
                ? `Inbound HL7 messages are kept ${inboundDays} days.`
                : 'Inbound HL7 messages are kept with no limit.',
              () => api.setInboundRetention(inboundDays ? Number(inboundDays) : null),
            )
          }}
        >
          <h4 id="inbound-retention-heading">Retention of inbound HL7 messages</h4>
          <p className="cp-hint" data-testid="inbound-retention-now">
            {retention.data.hl7InboundDays === null
              ? 'Inbound HL7 messages are kept with no limit.'
              : `Inbound HL7 messages are kept ${retention.data.hl7InboundDays} days.`}{' '}
            A day of messages past its period is deleted once every message of it has been answered; the runs they
            started keep their own data.
          </p>
          <div className="cp-row">
            <DaysField value={inboundDays} onChange={setInboundDays} testId="inbound-retention-days" />
          </div>
          <button type="submit" className="cp-btn" data-testid="inbound-retention-save">
            Set inbound retention
          </button>
        </form>
      ) : null}
    </section>
  )
}

/** A retention period in whole days; empty means no limit. */
function DaysField(props: { value: string; onChange: (value: string) => void; testId: string }) {
  return (
    <label className="cp-field">
      <span className="cp-field-label">Days (empty: no limit)</span>
      <input
        className="cp-input"
        type="number"
        min={1}
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  )
}

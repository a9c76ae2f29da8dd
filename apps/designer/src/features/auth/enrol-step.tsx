// The first log-in of someone whose role must use a second factor: scan the QR code with an
// authenticator app (or type the key shown under it), confirm with the app's first code, then
// save the recovery codes, which are shown this once.
import { useEffect, useState } from 'react'
import { api, type TotpEnrolment } from '../../api/carepath-api.ts'
import { useSession, type PendingLogin } from '../../store/session.store.ts'
import { LoginCard, StepError, useStep } from './login-card.tsx'
import { PasskeyButton } from './passkey-button.tsx'

export function EnrolStep({ pending }: { pending: Extract<PendingLogin, { status: 'enrol' }> }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null)
  const [startError, setStartError] = useState<string | null>(null)
  const [code, setCode] = useState('')
  useEffect(() => {
    let live = true
    api.enrolStart(pending.challenge).then(
      (started) => live && setEnrolment(started),
      (e: unknown) => live && setStartError(e instanceof Error ? e.message : 'The enrolment could not start.'),
    )
    return () => {
      live = false
    }
  }, [pending.challenge])
  const { error, busy, submit } = useStep(() => useSession.getState().confirmEnrolment(code.replace(/\s/g, '')))
  return (
    <LoginCard onSubmit={submit} testId="enrol-form" title="Set up a second factor">
      <p className="cp-hint" id="enrol-hint">
        Your role logs in with a password and a code from an authenticator app. Scan this code with the app (or type the
        key under it), then enter the 6-digit code it shows.
      </p>
      {enrolment ? (
        <>
          <img
            className="cp-qr"
            width={180}
            height={180}
            alt={`QR code that adds Carepath (${pending.user.username}) to an authenticator app`}
            src={`data:image/svg+xml;utf8,${encodeURIComponent(enrolment.qrSvg)}`}
            data-testid="enrol-qr"
          />
          <p className="cp-hint">
            Key: <code data-testid="enrol-secret">{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
          </p>
        </>
      ) : (
        <p className="cp-hint" role="status">
          {startError ?? 'Preparing…'}
        </p>
      )}
      <label className="cp-field">
        <span className="cp-field-label">Code from the app</span>
        <input
          className="cp-input cp-code-input"
          autoFocus
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9 ]*"
          maxLength={7}
          aria-describedby="enrol-hint"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          data-testid="enrol-code"
        />
      </label>
      <StepError error={error} />
      <button
        className="cp-btn primary"
        type="submit"
        disabled={busy || !enrolment || !code.trim()}
        data-testid="enrol-submit"
      >
        {busy ? 'Checking…' : 'Confirm'}
      </button>
      {pending.methods.includes('webauthn') && (
        <PasskeyButton
          label="Use a passkey instead"
          testId="enrol-passkey"
          run={() => useSession.getState().enrolPasskey()}
        />
      )}
      <div className="cp-login-links">
        <button type="button" className="cp-btn ghost small" onClick={() => useSession.getState().cancel()}>
          Back to log-in
        </button>
      </div>
    </LoginCard>
  )
}

export function RecoveryCodesStep({ codes }: { codes: string[] }) {
  const [saved, setSaved] = useState(false)
  return (
    <LoginCard
      onSubmit={(e) => {
        e.preventDefault()
        useSession.getState().acknowledgeRecoveryCodes()
      }}
      testId="recovery-codes-form"
      title="Save your recovery codes"
    >
      <p className="cp-hint">
        If you lose the authenticator app, each of these codes logs you in once. They are shown only now: print them or
        keep them in a password manager.
      </p>
      <ul className="cp-recovery-codes" data-testid="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <label className="cp-check">
        <input
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved(e.target.checked)}
          data-testid="recovery-saved"
        />{' '}
        I have saved these codes
      </label>
      <button className="cp-btn primary" type="submit" disabled={!saved} data-testid="recovery-continue">
        Continue
      </button>
    </LoginCard>
  )
}

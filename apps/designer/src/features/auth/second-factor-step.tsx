// The second step of a log-in: the six-digit code the authenticator app shows, or, with the app
// lost, one of the recovery codes saved at enrolment (each works once).
import { useState } from 'react'
import { useSession, type PendingLogin } from '../../store/session.store.ts'
import { LoginCard, StepError, useStep } from './login-card.tsx'
import { PasskeyButton } from './passkey-button.tsx'

export function SecondFactorStep({ pending }: { pending: Extract<PendingLogin, { status: 'mfa' }> }) {
  const [useRecovery, setUseRecovery] = useState(false)
  const [value, setValue] = useState('')
  const { error, busy, submit } = useStep(() =>
    useSession.getState().verify(useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') }),
  )
  const canRecover = pending.methods.includes('recovery')
  return (
    <LoginCard onSubmit={submit} testId="mfa-form" title="Second step">
      <p className="cp-hint" id="mfa-hint">
        {useRecovery
          ? `Enter one of the recovery codes you saved for ${pending.user.username}. Each works once.`
          : `Enter the 6-digit code your authenticator app shows for Carepath (${pending.user.username}).`}
      </p>
      <label className="cp-field">
        <span className="cp-field-label">{useRecovery ? 'Recovery code' : 'Code'}</span>
        <input
          key={useRecovery ? 'recovery' : 'code'}
          className="cp-input cp-code-input"
          autoFocus
          autoComplete="one-time-code"
          inputMode={useRecovery ? 'text' : 'numeric'}
          pattern={useRecovery ? undefined : '[0-9 ]*'}
          maxLength={useRecovery ? 40 : 7}
          aria-describedby="mfa-hint"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-testid="mfa-code"
        />
      </label>
      <StepError error={error} />
      <button className="cp-btn primary" type="submit" disabled={busy || !value.trim()} data-testid="mfa-submit">
        {busy ? 'Checking…' : 'Verify'}
      </button>
      {pending.methods.includes('webauthn') && (
        <PasskeyButton label="Use a passkey" testId="mfa-passkey" run={() => useSession.getState().verifyPasskey()} />
      )}
      <div className="cp-login-links">
        {canRecover && (
          <button
            type="button"
            className="cp-btn ghost small"
            onClick={() => {
              setUseRecovery(!useRecovery)
              setValue('')
            }}
            data-testid="mfa-toggle-recovery"
          >
            {useRecovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </button>
        )}
        <button type="button" className="cp-btn ghost small" onClick={() => useSession.getState().cancel()}>
          Back to log-in
        </button>
      </div>
    </LoginCard>
  )
}

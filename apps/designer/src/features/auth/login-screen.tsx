// Log-in, in as many steps as the installation's policy asks: the password; then a code from
// the authenticator app (or a recovery code); the first time, enrolling the app (QR code, its
// first code) and saving the recovery codes. Every step is a form: Tab reaches each field and
// button, Enter submits, and an error is announced (role="alert").
import { useEffect, useState } from 'react'
import { api } from '../../api/carepath-api.ts'
import { useSession } from '../../store/session.store.ts'
import { EnrolStep, RecoveryCodesStep } from './enrol-step.tsx'
import { LoginCard, StepError, useStep } from './login-card.tsx'
import { SecondFactorStep } from './second-factor-step.tsx'

export function LoginScreen() {
  const pending = useSession((s) => s.pending)
  const recoveryCodes = useSession((s) => s.recoveryCodes)
  if (recoveryCodes) return <RecoveryCodesStep codes={recoveryCodes} />
  if (pending?.status === 'mfa') return <SecondFactorStep pending={pending} />
  if (pending?.status === 'enrol') return <EnrolStep pending={pending} />
  return <PasswordStep />
}

function PasswordStep() {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const { error, busy, submit } = useStep(() => useSession.getState().login(username.trim(), password))
  const ssoError = useSession((s) => s.ssoError)
  const [sso, setSso] = useState<{ label: string } | null>(null)
  useEffect(() => {
    let live = true
    api.loginMethods().then(
      (methods) => live && setSso(methods.sso),
      () => undefined, // no SSO button when the runtime cannot say
    )
    return () => {
      live = false
    }
  }, [])
  return (
    <LoginCard onSubmit={submit} testId="login-form">
      <p className="cp-hint">Design, test, review and run care workflows.</p>
      {ssoError && (
        <p className="cp-error-text" role="alert" data-testid="sso-error">
          {ssoError}
        </p>
      )}
      <label className="cp-field">
        <span className="cp-field-label">User name</span>
        <input
          className="cp-input"
          autoFocus
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="login-username"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Password</span>
        <input
          className="cp-input"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="login-password"
        />
      </label>
      <StepError error={error} />
      <button
        className="cp-btn primary"
        type="submit"
        disabled={busy || !username || !password}
        data-testid="login-submit"
      >
        {busy ? 'Logging in…' : 'Log in'}
      </button>
      {sso && (
        <a className="cp-btn cp-sso" href="/auth/oidc/login" data-testid="login-sso">
          Log in with {sso.label}
        </a>
      )}
    </LoginCard>
  )
}

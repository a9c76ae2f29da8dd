import { useState, type FormEvent } from 'react'
import { useSession } from '../store/session.store.ts'

export function LoginScreen() {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await useSession.getState().login(username.trim(), password)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Log-in failed.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="cp-login">
      <form className="cp-card" onSubmit={submit} data-testid="login-form">
        <h1>◆ Carepath</h1>
        <p className="cp-hint">Design, test, review and run care workflows.</p>
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
        {error && (
          <p className="cp-error-text" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button
          className="cp-btn primary"
          type="submit"
          disabled={busy || !username || !password}
          data-testid="login-submit"
        >
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  )
}

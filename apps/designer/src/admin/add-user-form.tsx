// Adding a person: username, a first password, the product role and the queues they work.
import { useState } from 'react'
import type { NewUser } from '../api/carepath-api.ts'
import { PRODUCT_ROLES } from './product-roles.ts'

export function AddUserForm({ queues, onAdd }: { queues: readonly string[]; onAdd(user: NewUser): Promise<void> }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<NewUser['role']>('agent')
  const [chosen, setChosen] = useState<string[]>([])
  return (
    <form
      className="cp-card inline"
      aria-labelledby="add-user-heading"
      data-testid="add-user"
      onSubmit={(e) => {
        e.preventDefault()
        void onAdd({ username: username.trim(), password, role, flowRoles: chosen }).then(() => {
          setUsername('')
          setPassword('')
          setChosen([])
        })
      }}
    >
      <h4 id="add-user-heading">Add a person</h4>
      <div className="cp-row">
        <label className="cp-field">
          <span className="cp-field-label">Username</span>
          <input
            className="cp-input"
            value={username}
            autoComplete="off"
            onChange={(e) => setUsername(e.target.value)}
            data-testid="add-user-name"
          />
        </label>
        <label className="cp-field">
          <span className="cp-field-label">First password (12 characters or more)</span>
          <input
            className="cp-input"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="add-user-password"
          />
        </label>
        <label className="cp-field">
          <span className="cp-field-label">Product role</span>
          <select
            className="cp-input"
            value={role}
            onChange={(e) => setRole(PRODUCT_ROLES.find((r) => r === e.target.value) ?? 'agent')}
            data-testid="add-user-role"
          >
            {PRODUCT_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="cp-checks">
        <legend>Queues worked</legend>
        {queues.map((q) => (
          <label key={q} className="cp-inline-label">
            <input
              type="checkbox"
              checked={chosen.includes(q)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, q].sort() : chosen.filter((c) => c !== q))}
              data-testid={`add-user-queue-${q}`}
            />{' '}
            {q}
          </label>
        ))}
      </fieldset>
      <button
        type="submit"
        className="cp-btn primary"
        disabled={!username.trim() || password.length < 12}
        data-testid="add-user-submit"
      >
        Add
      </button>
    </form>
  )
}

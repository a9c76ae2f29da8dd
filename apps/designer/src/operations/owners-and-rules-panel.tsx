// Owners and alert rules (operators and admins): who each kind of failure goes to, per flow or
// for the whole installation, and when an alert opens. Saved whole: a malformed rule is refused
// by the runtime with where and why, the form keeps what was typed, and nothing changes.
import { useEffect, useState } from 'react'
import { api, type OperationsSettings } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { ErrorState, Loading } from '../screens/state-views.tsx'
import { OwnersEditor, type Owners } from './owners-editor.tsx'
import { draftOf, plainError, ruleOf, RulesEditor, type RuleDraft } from './rules-editor.tsx'

const DEFAULT_SCOPE = ''

interface Draft {
  owners: Record<string, Owners>
  defaultOwners: Owners
  rules: RuleDraft[]
}
const draftFrom = (s: OperationsSettings): Draft => ({
  owners: s.owners,
  defaultOwners: s.defaultOwners,
  rules: s.rules.map(draftOf),
})
const hasOwners = (owners: Owners) => Object.values(owners).some((list) => list.length > 0)

export function OwnersAndRulesPanel() {
  const loaded = useLoader(
    async () => ({ settings: await api.operationsSettings(), candidates: await api.ownerCandidates() }),
    [],
  )
  const [draft, setDraft] = useState<Draft | null>(null)
  const [scope, setScope] = useState(DEFAULT_SCOPE)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<{ text: string; row: number; field: string } | null>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (loaded.data) setDraft(draftFrom(loaded.data.settings))
  }, [loaded.data])

  if (loaded.loading && !loaded.data) return <Loading what="owners and rules" />
  if (loaded.error) return <ErrorState message={loaded.error} retry={loaded.reload} />
  if (!draft || !loaded.data) return <Loading what="owners and rules" />
  const { flows, users } = loaded.data.candidates
  const stored = loaded.data.settings
  const owners = scope === DEFAULT_SCOPE ? draft.defaultOwners : (draft.owners[scope] ?? {})
  const change = (next: Draft) => {
    setDraft(next)
    setSaved(false)
  }
  const setOwners = (next: Owners) =>
    change(
      scope === DEFAULT_SCOPE
        ? { ...draft, defaultOwners: next }
        : { ...draft, owners: { ...draft.owners, [scope]: next } },
    )

  const save = async () => {
    setSaving(true)
    setError(null)
    try {
      const now = await api.saveOperationsSettings({
        // A flow whose owners were all removed falls back to the defaults: nothing is kept for it.
        owners: Object.fromEntries(Object.entries(draft.owners).filter(([, o]) => hasOwners(o))),
        defaultOwners: draft.defaultOwners,
        rules: draft.rules.map(ruleOf),
      })
      setDraft(draftFrom(now))
      setSaved(true)
      // "Undo changes" goes back to what is stored now.
      loaded.reload()
    } catch (e) {
      const message = e instanceof Error ? e.message : 'The settings could not be saved.'
      setError(plainError(message, draft.rules) ?? { text: message, row: -1, field: '' })
    } finally {
      setSaving(false)
    }
  }

  return (
    <section aria-label="Owners and rules" data-testid="owners-and-rules">
      <h3>Owners</h3>
      <p className="cp-hint">
        An alert goes to the owners of its kind for the flow it is about; a flow without them uses the installation’s.
      </p>
      <label className="cp-field cp-field-inline">
        <span>Owners of</span>
        <select
          className="cp-input"
          value={scope}
          onChange={(e) => setScope(e.target.value)}
          data-testid="owners-scope"
        >
          <option value={DEFAULT_SCOPE}>every flow (the installation’s owners)</option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.title || f.id}
              {draft.owners[f.id] && hasOwners(draft.owners[f.id] ?? {}) ? ' (owners named)' : ''}
            </option>
          ))}
        </select>
      </label>
      <OwnersEditor key={scope} owners={owners} users={users} readOnly={false} onChange={setOwners} />
      <h3>Alert rules</h3>
      <RulesEditor
        rules={draft.rules}
        flows={flows}
        readOnly={false}
        invalid={error && error.row >= 0 ? { row: error.row, field: error.field } : null}
        onChange={(rules) => change({ ...draft, rules })}
      />
      <div className="cp-ops-bulk">
        <button
          type="button"
          className="cp-btn primary"
          disabled={saving}
          onClick={() => void save()}
          data-testid="owners-save"
        >
          Save owners and rules
        </button>
        <button
          type="button"
          className="cp-btn ghost"
          disabled={saving}
          onClick={() => {
            setDraft(draftFrom(stored))
            setError(null)
          }}
        >
          Undo changes
        </button>
        <span role="status" data-testid="owners-saved">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
      {error && (
        <p className="cp-error-text" role="alert" data-testid="owners-error">
          {/[.!?]$/.test(error.text) ? error.text : `${error.text}.`} Nothing was saved.
        </p>
      )}
    </section>
  )
}

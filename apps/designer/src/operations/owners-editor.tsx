// Owners by kind for one flow (or the installation's defaults): people chosen from the users,
// plus e-mail addresses and webhooks for teams outside the app. A failure routes by its kind
// to these owners; their in-app inbox shows the alert.
import { useId, useState } from 'react'
import type { OperationsSettings, Recipient } from '../api/carepath-api.ts'

export type Owners = OperationsSettings['defaultOwners']
type OwnerKind = keyof Owners

/** Each kind of owner with what their alerts are about. */
export const OWNER_KINDS = [
  { kind: 'integration', title: 'Integration owner', about: 'connector failures, dead letters, listeners down' },
  { kind: 'process', title: 'Process owner', about: 'steps failing on their own, tasks past their due time' },
  { kind: 'compliance', title: 'Compliance', about: 'policy exceptions' },
  { kind: 'security', title: 'Security', about: 'access issues' },
  { kind: 'support', title: 'Support', about: 'everything else' },
] as const satisfies readonly { kind: OwnerKind; title: string; about: string }[]

/** How a recipient reads in the list. */
export const recipientLabel = (r: Recipient) => ('user' in r ? r.user : 'email' in r ? r.email : r.webhook)

/** An address typed by hand: a web address is a webhook, anything else an e-mail address (the runtime checks both). */
const typedRecipient = (text: string): Recipient => (/^https?:\/\//i.test(text) ? { webhook: text } : { email: text })

export function OwnersEditor(props: {
  owners: Owners
  users: { username: string; role: string }[]
  readOnly: boolean
  onChange: (owners: Owners) => void
}) {
  return (
    <div className="cp-owners" data-testid="owners-editor">
      {OWNER_KINDS.map(({ kind, title, about }) => (
        <OwnerKindRow
          key={kind}
          title={title}
          about={about}
          kind={kind}
          recipients={props.owners[kind] ?? []}
          users={props.users}
          readOnly={props.readOnly}
          onChange={(recipients) => props.onChange({ ...props.owners, [kind]: recipients })}
        />
      ))}
    </div>
  )
}

function OwnerKindRow(props: {
  kind: OwnerKind
  title: string
  about: string
  recipients: Recipient[]
  users: { username: string; role: string }[]
  readOnly: boolean
  onChange: (recipients: Recipient[]) => void
}) {
  const id = useId()
  const [person, setPerson] = useState('')
  const [address, setAddress] = useState('')
  const named = new Set(props.recipients.map(recipientLabel))
  const choices = props.users.filter((u) => !named.has(u.username))
  return (
    <fieldset className="cp-owner-kind" data-testid={`owners-${props.kind}`}>
      <legend>
        {props.title} <small className="cp-hint">({props.about})</small>
      </legend>
      {props.recipients.length === 0 ? (
        <p className="cp-hint">Nobody named: the installation’s default owner is told.</p>
      ) : (
        <ul className="cp-owner-list">
          {props.recipients.map((r) => (
            <li key={recipientLabel(r)}>
              {'user' in r ? '◉ ' : 'email' in r ? '✉ ' : '↗ '}
              {recipientLabel(r)}
              {!props.readOnly && (
                <button
                  type="button"
                  className="cp-btn small ghost"
                  aria-label={`Remove ${recipientLabel(r)} as ${props.title.toLowerCase()}`}
                  onClick={() => props.onChange(props.recipients.filter((other) => other !== r))}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!props.readOnly && (
        <div className="cp-ops-filters">
          <label className="cp-field" htmlFor={`${id}-person`}>
            <span>Add a person</span>
            <select
              id={`${id}-person`}
              className="cp-input"
              value={person}
              onChange={(e) => setPerson(e.target.value)}
              data-testid={`owners-${props.kind}-person`}
            >
              <option value="">choose…</option>
              {choices.map((u) => (
                <option key={u.username} value={u.username}>
                  {u.username} ({u.role})
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="cp-btn small"
            disabled={!person}
            onClick={() => {
              props.onChange([...props.recipients, { user: person }])
              setPerson('')
            }}
            data-testid={`owners-${props.kind}-add-person`}
          >
            Add person
          </button>
          <label className="cp-field" htmlFor={`${id}-address`}>
            <span>or an e-mail address or webhook</span>
            <input
              id={`${id}-address`}
              className="cp-input"
              value={address}
              placeholder="team@example.org"
              onChange={(e) => setAddress(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="cp-btn small"
            disabled={!address.trim() || named.has(address.trim())}
            onClick={() => {
              props.onChange([...props.recipients, typedRecipient(address.trim())])
              setAddress('')
            }}
          >
            Add address
          </button>
        </div>
      )}
    </fieldset>
  )
}

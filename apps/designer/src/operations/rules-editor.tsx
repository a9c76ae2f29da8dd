// Alert rules as a form: a name, what to watch, and that kind's figures. Numbers are typed as
// text and sent as typed when they are not numbers, so the runtime's own check says what is
// wrong (a window of "5m"): one definition of a valid rule, and nothing saved until all are.
import { useId } from 'react'
import type { AlertRule } from '../api/carepath-api.ts'

type RuleKind = AlertRule['kind']

/** A rule as the form holds it: every field as typed. */
export interface RuleDraft {
  id: string
  kind: RuleKind
  connector: string
  /** Percent of failed calls. */
  threshold: string
  windowMinutes: string
  minCalls: string
  minutes: string
  flowId: string
}

export const RULE_KINDS: { kind: RuleKind; title: string }[] = [
  { kind: 'connector-failure-rate', title: 'A connector fails too often' },
  { kind: 'incident-age', title: 'A run is held at a failed step too long' },
  { kind: 'dead-letter', title: 'An inbound message started no run' },
  { kind: 'task-overdue', title: 'A task is past its due time' },
  { kind: 'listener-down', title: 'An HL7 listener is down' },
  { kind: 'phi-map-review', title: 'The PHI map’s quarterly review is due' },
]
const isRuleKind = (value: string): value is RuleKind => RULE_KINDS.some((k) => k.kind === value)

export const emptyRule = (n: number): RuleDraft => ({
  id: `rule-${n}`,
  kind: 'connector-failure-rate',
  connector: '',
  threshold: '50',
  windowMinutes: '10',
  minCalls: '5',
  minutes: '30',
  flowId: '',
})

export function draftOf(rule: AlertRule): RuleDraft {
  const draft = { ...emptyRule(0), id: rule.id, kind: rule.kind }
  switch (rule.kind) {
    case 'connector-failure-rate':
      return {
        ...draft,
        connector: rule.connector ?? '',
        threshold: String(Math.round(rule.threshold * 1000) / 10),
        windowMinutes: String(rule.windowMinutes),
        minCalls: String(rule.minCalls),
      }
    case 'incident-age':
    case 'task-overdue':
      return { ...draft, minutes: String(rule.minutes), flowId: rule.flowId ?? '' }
    case 'listener-down':
      return { ...draft, minutes: String(rule.minutes) }
    case 'dead-letter':
    case 'phi-map-review':
      return draft
  }
}

/** A number when the text is one; otherwise the text itself, for the runtime to refuse plainly. */
const numberOr = (text: string): number | string => (/^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text)
const optional = (key: string, text: string) => (text.trim() ? { [key]: text.trim() } : {})

/** What the runtime is sent for a rule. */
export function ruleOf(d: RuleDraft): Record<string, unknown> {
  const base = { id: d.id.trim(), kind: d.kind }
  switch (d.kind) {
    case 'connector-failure-rate': {
      const percent = numberOr(d.threshold)
      return {
        ...base,
        ...optional('connector', d.connector),
        threshold: typeof percent === 'number' ? percent / 100 : percent,
        windowMinutes: numberOr(d.windowMinutes),
        ...(d.minCalls.trim() ? { minCalls: numberOr(d.minCalls) } : {}),
      }
    }
    case 'incident-age':
    case 'task-overdue':
      return { ...base, minutes: numberOr(d.minutes), ...optional('flowId', d.flowId) }
    case 'listener-down':
      return { ...base, minutes: numberOr(d.minutes) }
    case 'dead-letter':
    case 'phi-map-review':
      return base
  }
}

/** "rules.0.windowMinutes: …" as a person reads it: the rule's row from 1 and its name. */
export function plainError(message: string, rules: RuleDraft[]): { text: string; row: number; field: string } | null {
  const match = /^rules\.(\d+)\.(\w+): (.*)$/.exec(message)
  if (!match) return null
  const row = Number(match[1])
  const name = rules[row]?.id
  return { text: `Rule ${row + 1}${name ? ` (${name})` : ''}: ${match[3]}`, row, field: match[2] ?? '' }
}

export function RulesEditor(props: {
  rules: RuleDraft[]
  flows: { id: string; title: string }[]
  readOnly: boolean
  /** The field the runtime refused, as rule row (from 0) and field name. */
  invalid: { row: number; field: string } | null
  onChange: (rules: RuleDraft[]) => void
}) {
  const set = (row: number, patch: Partial<RuleDraft>) =>
    props.onChange(props.rules.map((r, i) => (i === row ? { ...r, ...patch } : r)))
  return (
    <div data-testid="rules-editor">
      {props.rules.length === 0 && <p className="cp-hint">No rules: no alert opens.</p>}
      {props.rules.map((rule, row) => (
        <RuleRow
          key={row}
          row={row}
          rule={rule}
          flows={props.flows}
          readOnly={props.readOnly}
          invalidField={props.invalid?.row === row ? props.invalid.field : null}
          onChange={(patch) => set(row, patch)}
          onRemove={() => props.onChange(props.rules.filter((_, i) => i !== row))}
        />
      ))}
      {!props.readOnly && (
        <button
          type="button"
          className="cp-btn small"
          onClick={() => props.onChange([...props.rules, emptyRule(props.rules.length + 1)])}
          data-testid="rules-add"
        >
          Add a rule
        </button>
      )}
    </div>
  )
}

function RuleRow(props: {
  row: number
  rule: RuleDraft
  flows: { id: string; title: string }[]
  readOnly: boolean
  invalidField: string | null
  onChange: (patch: Partial<RuleDraft>) => void
  onRemove: () => void
}) {
  const id = useId()
  const { rule } = props
  const field = (name: keyof RuleDraft, title: string, hint?: string) => (
    <label className="cp-field" htmlFor={`${id}-${name}`}>
      <span>{title}</span>
      <input
        id={`${id}-${name}`}
        className="cp-input"
        value={rule[name]}
        readOnly={props.readOnly}
        aria-invalid={props.invalidField === name}
        aria-describedby={hint ? `${id}-${name}-hint` : undefined}
        onChange={(e) => props.onChange({ [name]: e.target.value })}
        data-testid={`rule-${props.row + 1}-${name}`}
      />
      {hint && (
        <small id={`${id}-${name}-hint`} className="cp-hint">
          {hint}
        </small>
      )}
    </label>
  )
  const flowPick = (
    <label className="cp-field" htmlFor={`${id}-flow`}>
      <span>Flow</span>
      <select
        id={`${id}-flow`}
        className="cp-input"
        value={rule.flowId}
        disabled={props.readOnly}
        onChange={(e) => props.onChange({ flowId: e.target.value })}
      >
        <option value="">every flow</option>
        {props.flows.map((f) => (
          <option key={f.id} value={f.id}>
            {f.title || f.id}
          </option>
        ))}
      </select>
    </label>
  )
  return (
    <fieldset className="cp-rule" data-testid={`rule-${props.row + 1}`}>
      <legend>Rule {props.row + 1}</legend>
      <div className="cp-ops-filters">
        {field('id', 'Name', 'lower-case words joined by dashes, like fhir-down')}
        <label className="cp-field" htmlFor={`${id}-kind`}>
          <span>Alert when</span>
          <select
            id={`${id}-kind`}
            className="cp-input"
            value={rule.kind}
            disabled={props.readOnly}
            onChange={(e) => (isRuleKind(e.target.value) ? props.onChange({ kind: e.target.value }) : undefined)}
            data-testid={`rule-${props.row + 1}-kind`}
          >
            {RULE_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.title}
              </option>
            ))}
          </select>
        </label>
        {rule.kind === 'connector-failure-rate' && (
          <>
            {field('connector', 'Connector', 'empty: every connector')}
            {field('threshold', 'Failed calls at least (%)')}
            {field('windowMinutes', 'Over the last (minutes)')}
            {field('minCalls', 'Out of at least (calls)')}
          </>
        )}
        {rule.kind === 'incident-age' && (
          <>
            {field('minutes', 'Held at least (minutes)')}
            {flowPick}
          </>
        )}
        {rule.kind === 'task-overdue' && (
          <>
            {field('minutes', 'Late by at least (minutes)')}
            {flowPick}
          </>
        )}
        {rule.kind === 'listener-down' && field('minutes', 'Down at least (minutes)')}
        {!props.readOnly && (
          <button type="button" className="cp-btn small ghost" onClick={props.onRemove}>
            Remove rule {props.row + 1}
          </button>
        )}
      </div>
    </fieldset>
  )
}

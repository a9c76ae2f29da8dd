// Input facts as a form generated from a flow's facts schema: one labelled, typed input per leaf
// field. Shared by the test-case form and the start-a-run form, so both ask for facts the same way.
import { useId } from 'react'
import type { FactSchema, JsonValue } from '@carepath/dsl'
import { factFields, valueAt, withValueAt, type FactField } from '../../suites/case-form-model.ts'

type JsonObject = { [key: string]: JsonValue }

/**
 * The fieldset of every fact of `schema`, editing `value` (fields the form does not show, such as
 * arrays, are kept as they are). `required` adds paths that must be given (a trigger's required
 * inputs); `errors` holds a message per path, shown under its input.
 */
export function FactsFieldset({
  schema,
  value,
  onChange,
  legend = 'Input facts',
  required = [],
  errors = {},
  testIdPrefix,
  only,
  emptyText = 'The flow’s facts schema has no fields yet.',
}: {
  schema: FactSchema
  value: JsonObject
  onChange(next: JsonObject): void
  legend?: string
  required?: readonly string[]
  errors?: Readonly<Record<string, string>>
  /** Each input's test id is this prefix and the fact path. */
  testIdPrefix: string
  /** Only these fields, in this order (default: every field of the schema, in its order). */
  only?: readonly string[] | undefined
  /** What the fieldset says when it has no field to show. */
  emptyText?: string
}) {
  const all = factFields(schema).map((f) => (required.includes(f.path) ? { ...f, required: true } : f))
  const fields = only ? only.flatMap((path) => all.filter((f) => f.path === path)) : all
  return (
    <fieldset className="cp-fieldset">
      <legend>{legend}</legend>
      {fields.length === 0 && <p className="cp-hint">{emptyText}</p>}
      {fields.map((f) => (
        <FactInput
          key={f.path}
          field={f}
          value={valueAt(value, f.path)}
          error={errors[f.path]}
          onChange={(v) => onChange(withValueAt(value, f.path, v))}
          testId={`${testIdPrefix}${f.path}`}
        />
      ))}
    </fieldset>
  )
}

/** One fact: a typed input; clearing it removes the fact. A required one is marked in words, not colour alone. */
export function FactInput({
  field,
  value,
  onChange,
  testId,
  error,
}: {
  field: FactField
  value: JsonValue | undefined
  onChange(v: JsonValue | undefined): void
  testId: string
  error?: string | undefined
}) {
  const id = useId()
  const described = [field.description ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  const common = {
    id,
    className: error ? 'cp-input cp-invalid' : 'cp-input',
    'aria-invalid': error ? true : undefined,
    'aria-required': field.required || undefined,
    'aria-describedby': described || undefined,
    'data-testid': testId,
  }
  const text = value === undefined || value === null ? '' : String(value)
  const control =
    field.kind === 'boolean' || field.kind === 'choice' ? (
      <select
        {...common}
        value={text}
        onChange={(e) => {
          const chosen = e.target.value
          if (chosen === '') onChange(undefined)
          else if (field.kind === 'boolean') onChange(chosen === 'true')
          else onChange(chosen)
        }}
      >
        <option value="">— not given —</option>
        {(field.kind === 'boolean' ? ['true', 'false'] : field.options).map((o) => (
          <option key={o} value={o}>
            {field.kind === 'boolean' ? (o === 'true' ? 'yes' : 'no') : o}
          </option>
        ))}
      </select>
    ) : (
      <input
        {...common}
        type={field.kind === 'number' ? 'number' : field.kind === 'date' ? 'date' : 'text'}
        value={text}
        placeholder={field.kind === 'date-time' ? '2026-12-01T09:00:00Z' : undefined}
        onChange={(e) => {
          const typed = e.target.value
          if (typed === '') onChange(undefined)
          else onChange(field.kind === 'number' ? Number(typed) : typed)
        }}
      />
    )
  return (
    <div className="cp-field">
      <label className="cp-field-label" htmlFor={id}>
        {field.label}
        {field.required && <span className="cp-required"> (required)</span>}
        {field.label !== field.path && <small className="cp-hint"> {field.path}</small>}
      </label>
      {control}
      {field.description && (
        <small id={`${id}-hint`} className="cp-hint">
          {field.description}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="cp-error-text" data-testid={`${testId}-error`}>
          {error}
        </small>
      )}
    </div>
  )
}

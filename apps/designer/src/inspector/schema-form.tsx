// A form generated from a JSON Schema (itself generated from a node type's zod config schema):
// strings, numbers, booleans, enums, nested objects and arrays. No node type has a hand-written
// form; shapes the form cannot draw (unions of objects, open records) get a JSON field instead.
import { useState } from 'react'
import {
  defaultFor,
  discriminatedUnion,
  literalOptions,
  nonNullOption,
  resolve,
  typeOf,
  type JsonSchema,
} from './json-schema.ts'
import { FactPathBadge } from './fact-path-badge.tsx'

interface FieldProps {
  schema: JsonSchema
  root: JsonSchema
  value: unknown
  onChange(value: unknown): void
  /** Dotted path inside the config, used for test ids and labels. */
  path: string
  label: string
  required?: boolean
  /** The schema allows null: "—" stores null; otherwise it removes an optional field. */
  nullable?: boolean
}

function humanize(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .replace(/^./, (c) => c.toUpperCase())
}

function testId(path: string): string {
  return `field-${path || 'root'}`
}

export function SchemaField(props: FieldProps) {
  const { root, value, onChange, path, label, required } = props
  const schema = resolve(props.schema, root)
  const literals = literalOptions(schema, root)
  const description = schema.description

  if (literals) {
    return (
      <label className="cp-field">
        <span className="cp-field-label">
          {label}
          {required && ' *'}
        </span>
        <select
          className="cp-input"
          value={JSON.stringify(value ?? null)}
          onChange={(e) => {
            const picked: unknown = JSON.parse(e.target.value)
            onChange(picked === null && !props.nullable ? undefined : picked)
          }}
          data-testid={testId(path)}
        >
          {!required && <option value="null">—</option>}
          {literals.map((option) => (
            <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
              {String(option)}
            </option>
          ))}
        </select>
        {description && <small className="cp-hint">{description}</small>}
      </label>
    )
  }
  const inner = nonNullOption(schema, root)
  if (inner) return <SchemaField {...props} schema={inner} nullable />
  const union = discriminatedUnion(schema, root)
  if (union) return <UnionFields {...props} schema={schema} union={union} />

  switch (typeOf(schema)) {
    case 'string':
      return (
        <label className="cp-field">
          <span className="cp-field-label">
            {label}
            {required && ' *'} <FactPathBadge path={typeof value === 'string' ? value : ''} />
          </span>
          <input
            className="cp-input"
            type={schema.format === 'date' ? 'date' : 'text'}
            list="cp-fact-paths"
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' && !required ? undefined : e.target.value)}
            data-testid={testId(path)}
          />
          {description && <small className="cp-hint">{description}</small>}
        </label>
      )
    case 'number':
    case 'integer':
      return (
        <label className="cp-field">
          <span className="cp-field-label">
            {label}
            {required && ' *'}
          </span>
          <input
            className="cp-input"
            type="number"
            step={typeOf(schema) === 'integer' ? 1 : 'any'}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
            data-testid={testId(path)}
          />
          {description && <small className="cp-hint">{description}</small>}
        </label>
      )
    case 'boolean':
      return (
        <label className="cp-field cp-field-inline">
          <input
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            data-testid={testId(path)}
          />
          <span className="cp-field-label">{label}</span>
          {description && <small className="cp-hint">{description}</small>}
        </label>
      )
    case 'object':
      if (schema.properties) return <ObjectFields {...props} schema={schema} />
      break
    case 'array':
      if (schema.items) return <ArrayField {...props} schema={schema} />
      break
  }
  return <JsonField {...props} />
}

function ObjectFields({ schema, root, value, onChange, path, label }: FieldProps) {
  const object = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const required = new Set(schema.required ?? [])
  const body = Object.entries(schema.properties ?? {}).map(([key, child]) => (
    <SchemaField
      key={key}
      schema={child}
      root={root}
      value={object[key]}
      path={path ? `${path}.${key}` : key}
      label={resolve(child, root).title ?? humanize(key)}
      required={required.has(key)}
      onChange={(next) => {
        const copy = { ...object }
        if (next === undefined) delete copy[key]
        else copy[key] = next
        onChange(copy)
      }}
    />
  ))
  if (!path) return <div className="cp-form">{body}</div>
  return (
    <fieldset className="cp-fieldset">
      <legend>{label}</legend>
      {body}
    </fieldset>
  )
}

/** One variant of a discriminated union: pick the variant, then its own fields. */
function UnionFields(props: FieldProps & { union: NonNullable<ReturnType<typeof discriminatedUnion>> }) {
  const { union, root, value, onChange, path, label } = props
  const object = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const current =
    union.options.find((o) => JSON.stringify(o.value) === JSON.stringify(object[union.key])) ?? union.options[0]!
  const { [union.key]: _discriminator, ...rest } = current.schema.properties ?? {}
  const body = (
    <>
      <label className="cp-field">
        <span className="cp-field-label">{humanize(union.key)}</span>
        <select
          className="cp-input"
          value={JSON.stringify(current.value)}
          data-testid={testId(path ? `${path}.${union.key}` : union.key)}
          onChange={(e) => {
            const next = union.options.find((o) => JSON.stringify(o.value) === e.target.value)!
            onChange(defaultFor(next.schema, root))
          }}
        >
          {union.options.map((o) => (
            <option key={JSON.stringify(o.value)} value={JSON.stringify(o.value)}>
              {String(o.value)}
            </option>
          ))}
        </select>
        {resolve(current.schema.properties?.[union.key] ?? {}, root).description && (
          <small className="cp-hint">{resolve(current.schema.properties![union.key]!, root).description}</small>
        )}
      </label>
      <ObjectFields
        {...props}
        schema={{ ...current.schema, properties: rest }}
        value={object}
        onChange={(next) => onChange({ ...(next as object), [union.key]: current.value })}
        path={path}
        label={label}
      />
    </>
  )
  return path ? (
    <fieldset className="cp-fieldset">
      <legend>{label}</legend>
      {body}
    </fieldset>
  ) : (
    <div className="cp-form">{body}</div>
  )
}

function ArrayField({ schema, root, value, onChange, path, label }: FieldProps) {
  const items = Array.isArray(value) ? value : []
  const itemSchema = schema.items!
  const set = (index: number, next: unknown) => onChange(items.map((item, i) => (i === index ? next : item)))
  return (
    <fieldset className="cp-fieldset" data-testid={testId(path)}>
      <legend>{label}</legend>
      {items.length === 0 && <p className="cp-empty small">None yet.</p>}
      {items.map((item, index) => (
        <div key={index} className="cp-array-item">
          <SchemaField
            schema={itemSchema}
            root={root}
            value={item}
            path={`${path}.${index}`}
            label={`${index + 1}`}
            onChange={(next) => set(index, next)}
          />
          <button
            type="button"
            className="cp-btn small ghost"
            onClick={() => onChange(items.filter((_, i) => i !== index))}
            aria-label={`Remove ${label} ${index + 1}`}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        className="cp-btn small"
        onClick={() => onChange([...items, defaultFor(itemSchema, root)])}
        data-testid={`${testId(path)}-add`}
      >
        + Add
      </button>
    </fieldset>
  )
}

function JsonField({ value, onChange, path, label }: FieldProps) {
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2))
  const [error, setError] = useState<string | null>(null)
  return (
    <label className="cp-field">
      <span className="cp-field-label">{label} (JSON)</span>
      <textarea
        className="cp-input mono"
        rows={4}
        value={text}
        data-testid={testId(path)}
        onChange={(e) => {
          setText(e.target.value)
          try {
            onChange(JSON.parse(e.target.value))
            setError(null)
          } catch {
            setError('Not valid JSON yet; the last valid value is kept.')
          }
        }}
      />
      {error && <small className="cp-error-text">{error}</small>}
    </label>
  )
}

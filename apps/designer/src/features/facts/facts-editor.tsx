// The facts schema as a form: a tree of fields (name, type, format, required, PHI class from the
// installation's list, description), with add / remove / nest. The tree is the analyst's working
// copy; it is written to the flow whenever it makes a valid schema, and re-read when the schema
// changes from elsewhere (the JSON view, "Add to facts", undo).
import { useEffect, useRef, useState } from 'react'
import { canonicalJson, PHI_CLASSES, type FactSchema, type PhiClass } from '@carepath/dsl'
import {
  addField,
  FIELD_TYPES,
  fieldProblems,
  removeField,
  schemaToTree,
  treeToSchema,
  updateField,
  type FactField,
  type FactsTree,
} from './facts-tree.model.ts'
import { PHI_CLASS_LABELS } from './phi-labels.ts'

const FORMATS: readonly { value: '' | 'date' | 'date-time'; label: string }[] = [
  { value: '', label: 'Any text' },
  { value: 'date', label: 'Date' },
  { value: 'date-time', label: 'Date and time' },
]

const isFieldType = (value: string): value is FactSchema['type'] => FIELD_TYPES.some((t) => t.type === value)
const isFormat = (value: string): value is 'date' | 'date-time' => value === 'date' || value === 'date-time'
const isPhiClass = (value: string): value is PhiClass => PHI_CLASSES.some((c) => c === value)

type Edit = (tree: FactsTree) => FactsTree

export function FactsEditor({
  facts,
  readOnly,
  onChange,
}: {
  facts: FactSchema
  readOnly: boolean
  onChange(facts: FactSchema): void
}) {
  const [tree, setTree] = useState(() => schemaToTree(facts))
  const written = useRef(canonicalJson(facts))
  // A schema changed elsewhere (JSON, undo, "Add to facts") replaces the working copy.
  useEffect(() => {
    const incoming = canonicalJson(facts)
    if (incoming === written.current) return
    written.current = incoming
    setTree(schemaToTree(facts))
  }, [facts])
  const problems = fieldProblems(tree.fields)
  const edit = (change: Edit) => {
    const next = change(tree)
    setTree(next)
    if (fieldProblems(next.fields).length > 0) return
    const schema = treeToSchema(next)
    written.current = canonicalJson(schema)
    onChange(schema)
  }
  return (
    <div className="cp-facts-editor" data-testid="facts-editor">
      {tree.fields.length === 0 ? (
        <p className="cp-hint" data-testid="facts-empty">
          No facts yet. Add the data this flow works on: each field gets a type and, if it is about a patient, a PHI
          class.
        </p>
      ) : (
        <FieldList fields={tree.fields} depth={0} readOnly={readOnly} edit={edit} problems={problems} parent="" />
      )}
      {problems.length > 0 && (
        <ul className="cp-error-text cp-facts-problems" data-testid="facts-problems">
          {problems.map((p) => (
            <li key={p.key}>{p.message} The schema keeps its last valid form until this is fixed.</li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <button type="button" className="cp-btn small" data-testid="fact-add" onClick={() => edit((t) => addField(t))}>
          + Add field
        </button>
      )}
    </div>
  )
}

interface ListProps {
  fields: readonly FactField[]
  depth: number
  readOnly: boolean
  edit(change: Edit): void
  problems: readonly { key: string; message: string }[]
  parent: string
}

function FieldList({ fields, ...rest }: ListProps) {
  return (
    <ul className="cp-fact-list" role="list">
      {fields.map((field) => (
        <FieldRow key={field.key} field={field} {...rest} />
      ))}
    </ul>
  )
}

function FieldRow({
  field,
  depth,
  readOnly,
  edit,
  problems,
  parent,
}: Omit<ListProps, 'fields'> & { field: FactField }) {
  const path = parent ? `${parent}.${field.name}` : field.name
  const id = `fact-${path || field.key}`
  const label = field.name || 'new field'
  const invalid = problems.some((p) => p.key === field.key)
  const isGroup = field.schema.type === 'object' || (field.schema.type === 'array' && field.items?.type === 'object')
  const change = (patch: Parameters<typeof updateField>[2]) => edit((t) => updateField(t, field.key, patch))
  return (
    <li className="cp-fact" data-testid={id}>
      <div className="cp-fact-line">
        <input
          className={invalid ? 'cp-input invalid' : 'cp-input'}
          aria-label={`Name of ${parent ? `a field in ${parent}` : 'a top-level field'}`}
          aria-invalid={invalid}
          placeholder="name"
          value={field.name}
          disabled={readOnly}
          onChange={(e) => change({ name: e.target.value.trim() })}
          data-testid={`${id}-name`}
        />
        <select
          className="cp-input"
          aria-label={`Type of ${label}`}
          value={field.schema.type}
          disabled={readOnly}
          onChange={(e) => isFieldType(e.target.value) && change({ schema: { type: e.target.value } })}
          data-testid={`${id}-type`}
        >
          {FIELD_TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
        {!readOnly && (
          <button
            type="button"
            className="cp-btn small ghost"
            aria-label={`Remove ${label}`}
            onClick={() => edit((t) => removeField(t, field.key))}
            data-testid={`${id}-remove`}
          >
            ✕
          </button>
        )}
      </div>
      <div className="cp-fact-line">
        {field.schema.type === 'array' && (
          <select
            className="cp-input"
            aria-label={`Each item of ${label}`}
            value={field.items?.type ?? 'object'}
            disabled={readOnly}
            onChange={(e) => isFieldType(e.target.value) && change({ itemType: e.target.value })}
            data-testid={`${id}-items`}
          >
            {FIELD_TYPES.filter((t) => t.type !== 'array').map((t) => (
              <option key={t.type} value={t.type}>
                Each item: {t.label.toLowerCase()}
              </option>
            ))}
          </select>
        )}
        {field.schema.type === 'string' && (
          <select
            className="cp-input"
            aria-label={`Format of ${label}`}
            value={field.schema.format ?? ''}
            disabled={readOnly}
            onChange={(e) => change({ schema: { format: isFormat(e.target.value) ? e.target.value : undefined } })}
            data-testid={`${id}-format`}
          >
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        )}
        <select
          className="cp-input"
          aria-label={`PHI class of ${label}`}
          value={field.schema['x-phi'] ?? ''}
          disabled={readOnly}
          onChange={(e) => change({ schema: { 'x-phi': isPhiClass(e.target.value) ? e.target.value : undefined } })}
          data-testid={`${id}-phi`}
        >
          <option value="">{depth > 0 ? 'PHI: as its group' : 'PHI: not classified'}</option>
          {PHI_CLASSES.map((c) => (
            <option key={c} value={c}>
              {PHI_CLASS_LABELS[c]}
            </option>
          ))}
        </select>
        <label className="cp-field-inline cp-check">
          <input
            type="checkbox"
            checked={field.required}
            disabled={readOnly}
            onChange={(e) => change({ required: e.target.checked })}
            data-testid={`${id}-required`}
          />
          Required
        </label>
      </div>
      <input
        className="cp-input"
        aria-label={`Description of ${label}`}
        placeholder="description (optional)"
        value={field.schema.description ?? ''}
        disabled={readOnly}
        onChange={(e) => change({ schema: { description: e.target.value || undefined } })}
        data-testid={`${id}-description`}
      />
      {isGroup && (
        <div className="cp-fact-children">
          {field.children.length > 0 && (
            <FieldList
              fields={field.children}
              depth={depth + 1}
              readOnly={readOnly}
              edit={edit}
              problems={problems}
              parent={path}
            />
          )}
          {!readOnly && (
            <button
              type="button"
              className="cp-btn small"
              onClick={() => edit((t) => addField(t, field.key))}
              data-testid={`${id}-add`}
            >
              + Add field to {label}
            </button>
          )}
        </div>
      )}
    </li>
  )
}

// With no node selected the inspector shows the flow itself: title, description, the facts
// schema and the roles, each as a form with its JSON (Monaco, validated against the DSL's
// schemas) one click away.
import { useMemo, useState } from 'react'
import { z } from 'zod'
import { factSchemaSchema, flowDocumentSchema, flowJsonSchema, flowRoleSchema } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { useEditor } from '../store/editor.store.ts'
import { useNodesContent } from '../store/use-nodes-content.ts'
import { JsonEditor } from '../monaco/json-editor.tsx'
import { FactsEditor } from '../features/facts/facts-editor.tsx'
import { RolesEditor } from '../features/facts/roles-editor.tsx'
import { Tabs } from '../screens/tabs.tsx'

export function FlowSettings() {
  const meta = useEditor((s) => s.meta)
  const readOnly = useEditor((s) => s.readOnly)
  const setMeta = useEditor((s) => s.setMeta)
  const [tab, setTab] = useState<'facts' | 'roles' | 'document'>('facts')
  // Forms first; the same data as JSON is one click away (and the form re-reads what JSON wrote).
  const [view, setView] = useState<'form' | 'json'>('form')
  const schemas = useMemo(() => {
    const safe = (schema: z.ZodType) => {
      try {
        return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
      } catch {
        return undefined
      }
    }
    let document: unknown
    try {
      document = flowJsonSchema(registry)
    } catch {
      document = undefined
    }
    return { facts: safe(factSchemaSchema), roles: safe(rolesSchema), document }
  }, [])
  return (
    <div className="cp-inspector" data-testid="inspector">
      <h3>Flow settings</h3>
      <p className="cp-hint">
        Select a node to edit it. Drag node types in from the palette; connect a port to a node to route that outcome.
      </p>
      <label className="cp-field">
        <span className="cp-field-label">Title</span>
        <input
          className="cp-input"
          value={meta.title}
          disabled={readOnly}
          onChange={(e) => setMeta({ title: e.target.value })}
          data-testid="flow-title"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Description</span>
        <textarea
          className="cp-input"
          rows={2}
          value={meta.description ?? ''}
          disabled={readOnly}
          onChange={(e) => setMeta({ description: e.target.value || undefined })}
        />
      </label>
      <Tabs
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'facts', label: 'Facts' },
          { id: 'roles', label: 'Roles & PHI', testId: 'flow-roles-tab' },
          { id: 'document', label: 'Document', testId: 'flow-document-tab' },
        ]}
      />
      {tab === 'document' ? (
        <DocumentJson schema={schemas.document} readOnly={readOnly} />
      ) : (
        <>
          <Tabs
            small
            value={view}
            onChange={setView}
            tabs={[
              { id: 'form', label: 'Form', testId: 'flow-settings-form' },
              { id: 'json', label: 'JSON', testId: 'flow-settings-json' },
            ]}
          />
          {tab === 'facts' && view === 'form' && (
            <FactsEditor facts={meta.facts} readOnly={readOnly} onChange={(facts) => setMeta({ facts })} />
          )}
          {tab === 'facts' && view === 'json' && (
            <JsonEditor
              path="flow/facts.json"
              value={meta.facts}
              schema={schemas.facts}
              readOnly={readOnly}
              height={360}
              onChange={(v) => {
                const parsed = factSchemaSchema.safeParse(v)
                if (parsed.success) setMeta({ facts: parsed.data })
              }}
              testId="flow-facts-json"
            />
          )}
          {tab === 'roles' && view === 'form' && (
            <RolesEditor roles={meta.roles} readOnly={readOnly} onChange={(roles) => setMeta({ roles })} />
          )}
          {tab === 'roles' && view === 'json' && (
            <JsonEditor
              path="flow/roles.json"
              value={meta.roles}
              schema={schemas.roles}
              readOnly={readOnly}
              height={360}
              onChange={(v) => {
                const parsed = rolesSchema.safeParse(v)
                if (parsed.success) setMeta({ roles: parsed.data })
              }}
              testId="flow-roles-json"
            />
          )}
        </>
      )}
    </div>
  )
}

const rolesSchema = z.record(z.string(), flowRoleSchema)

/** The whole document in Monaco, checked against the DSL's JSON Schema for the installed node types. */
function DocumentJson({ schema, readOnly }: { schema: unknown; readOnly: boolean }) {
  // Rebuilt when the graph or the flow settings change, so canvas edits show here too.
  // Node contents, and `past`, which every undoable step (a finished drag included) replaces:
  // positions reach the JSON when a drag ends, not on each of its frames.
  const nodes = useNodesContent()
  const edges = useEditor((s) => s.edges)
  const meta = useEditor((s) => s.meta)
  const start = useEditor((s) => s.start)
  const past = useEditor((s) => s.past)
  const document = useMemo(() => useEditor.getState().document(), [nodes, edges, meta, start, past])
  return (
    <JsonEditor
      path="flow/document.json"
      value={document}
      schema={schema}
      readOnly={readOnly}
      height={420}
      testId="flow-document-json"
      onChange={(v) => {
        const parsed = flowDocumentSchema.safeParse(v)
        if (parsed.success) useEditor.getState().replaceDocument(parsed.data)
      }}
    />
  )
}

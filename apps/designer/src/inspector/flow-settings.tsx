// With no node selected the inspector shows the flow itself: title, description, the facts
// schema and the roles (both in Monaco, validated against the DSL's schemas).
import { useMemo, useState } from 'react'
import { z } from 'zod'
import { factSchemaSchema, flowRoleSchema } from '@carepath/dsl'
import { useEditor } from '../store/editor.store.ts'
import { JsonEditor } from '../monaco/json-editor.tsx'
import type { FlowMeta } from '../canvas/flow-graph.ts'

export function FlowSettings() {
  const meta = useEditor((s) => s.meta)
  const readOnly = useEditor((s) => s.readOnly)
  const setMeta = useEditor((s) => s.setMeta)
  const [tab, setTab] = useState<'facts' | 'roles'>('facts')
  const schemas = useMemo(() => {
    const safe = (schema: z.ZodType) => {
      try {
        return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
      } catch {
        return undefined
      }
    }
    return { facts: safe(factSchemaSchema), roles: safe(z.record(z.string(), flowRoleSchema)) }
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
      <div className="cp-tabs">
        <button type="button" className={tab === 'facts' ? 'active' : ''} onClick={() => setTab('facts')}>
          Facts schema
        </button>
        <button
          type="button"
          className={tab === 'roles' ? 'active' : ''}
          onClick={() => setTab('roles')}
          data-testid="flow-roles-tab"
        >
          Roles and PHI
        </button>
      </div>
      {tab === 'facts' ? (
        <JsonEditor
          path="flow/facts.json"
          value={meta.facts}
          schema={schemas.facts}
          readOnly={readOnly}
          height={360}
          onChange={(v) => factSchemaSchema.safeParse(v).success && setMeta({ facts: v as FlowMeta['facts'] })}
          testId="flow-facts-json"
        />
      ) : (
        <JsonEditor
          path="flow/roles.json"
          value={meta.roles}
          schema={schemas.roles}
          readOnly={readOnly}
          height={360}
          onChange={(v) =>
            z.record(z.string(), flowRoleSchema).safeParse(v).success && setMeta({ roles: v as FlowMeta['roles'] })
          }
          testId="flow-roles-json"
        />
      )}
    </div>
  )
}

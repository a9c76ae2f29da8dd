// The inspector: the selected node's title, id, problems and config. The config form is
// generated from the node type's zod schema (via JSON Schema); a type's custom view, if it has
// one, draws its own keys; the JSON tab edits the whole config in Monaco.
import { RetryPolicyField } from './retry-policy-field.tsx'
import { memo, useMemo, useState } from 'react'
import { z } from 'zod'
import { listFactPaths, plainProblem } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { useEditor, type EditorState } from '../store/editor.store.ts'
import { SchemaField } from './schema-form.tsx'
import { customViews } from './custom-views.ts'
import { JsonEditor } from '../monaco/json-editor.tsx'
import { setFactPaths } from '../monaco/fact-paths.ts'
import type { JsonSchema } from './json-schema.ts'
import { FlowSettings } from './flow-settings.tsx'
import { forbiddenShows } from '../canvas/node-ports.ts'
import { Tabs } from '../screens/tabs.tsx'
import { AddToFactsButton } from '../features/facts/add-to-facts-button.tsx'
import { useDocumentNodes } from '../validation/use-document-nodes.ts'
import { WideEditorDialog } from '../features/wide-editor/wide-editor-dialog.tsx'
import { useNodeData } from '../store/use-nodes-content.ts'
import { PortConnections } from '../features/connections/port-connections.tsx'

const schemaCache = new Map<string, JsonSchema>()

/** The JSON Schema of a node type's config, computed once per type. */
function configJsonSchema(type: string): JsonSchema {
  const cached = schemaCache.get(type)
  if (cached) return cached
  const nodeType = registry.get(type)
  let schema: JsonSchema = {}
  if (nodeType) {
    try {
      schema = z.toJSONSchema(nodeType.config, { io: 'input', unrepresentable: 'any' }) as JsonSchema
    } catch {
      schema = { type: 'object' }
    }
  }
  schemaCache.set(type, schema)
  return schema
}

/** The selected nodes' ids joined by commas: a string, so a drag's new node list is no change. */
function selectedNodeIds(s: EditorState): string {
  let ids = ''
  for (const node of s.nodes) if (node.selected) ids = ids ? `${ids},${node.id}` : node.id
  return ids
}

function InspectorPanelView() {
  const selectedIds = useEditor(selectedNodeIds)
  const ids = selectedIds ? selectedIds.split(',') : []
  if (ids.length === 0) return <FlowSettings />
  if (ids.length > 1) {
    return (
      <div className="cp-inspector" data-testid="inspector">
        <h3>{ids.length} nodes selected</h3>
        <p className="cp-hint">Drag to move them together, Ctrl+C / Ctrl+V to copy, Delete to remove.</p>
      </div>
    )
  }
  return <NodeInspector key={ids[0]} id={ids[0]!} />
}

function NodeInspector({ id }: { id: string }) {
  const data = useNodeData(id)
  const problems = useEditor((s) => s.problemsByNode[id])
  const facts = useEditor((s) => s.meta.facts)
  const roles = useEditor((s) => s.meta.roles)
  const readOnly = useEditor((s) => s.readOnly)
  const updateNode = useEditor((s) => s.updateNode)
  const isStart = useEditor((s) => s.start === id)
  const setStart = useEditor((s) => s.setStart)
  const [tab, setTab] = useState<'form' | 'json'>('form')
  const [wide, setWide] = useState(false)
  const documentNodes = useDocumentNodes()
  const paths = useMemo(() => listFactPaths(facts), [facts])
  useMemo(() => setFactPaths(paths), [paths])
  if (!data) return null
  const nodeType = registry.get(data.type)
  const schema = configJsonSchema(data.type)
  const custom = customViews[data.type]
  const formSchema: JsonSchema = custom
    ? {
        ...schema,
        properties: Object.fromEntries(
          Object.entries(schema.properties ?? {}).filter(([k]) => !custom.keys.includes(k)),
        ),
      }
    : schema
  const forbidden = forbiddenShows(data.type, data.config, facts, roles)
  const setConfig = (config: Record<string, unknown>) => updateNode(id, { config })
  // The type's own view, in the panel or full width (not both: one editor holds the focus).
  const customView = custom ? (
    <custom.View nodeId={id} config={data.config} onChange={setConfig} jsonSchema={schema} readOnly={readOnly} />
  ) : null

  return (
    <div className="cp-inspector" data-testid="inspector">
      <div className="cp-inspector-head">
        <span className="cp-node-icon big">{nodeType?.icon ?? '?'}</span>
        <div>
          <h3>{nodeType?.title ?? data.type}</h3>
          <small className="cp-hint">
            {data.type} v{data.typeVersion} · id <code data-testid="inspector-node-id">{id}</code>
          </small>
        </div>
      </div>
      {!nodeType && <p className="cp-error-text">No node type “{data.type}” is installed; this node cannot run.</p>}
      {nodeType && <p className="cp-hint">{nodeType.description}</p>}
      <label className="cp-field">
        <span className="cp-field-label">Title on the canvas</span>
        <input
          className="cp-input"
          value={data.title ?? ''}
          disabled={readOnly}
          onChange={(e) => updateNode(id, { title: e.target.value || undefined })}
          data-testid="inspector-title"
        />
      </label>
      {(nodeType?.connectors?.length ?? 0) > 0 && (
        <RetryPolicyField value={data.retry} readOnly={readOnly} onChange={(retry) => updateNode(id, { retry })} />
      )}
      {nodeType?.trigger && !isStart && !readOnly && (
        <button type="button" className="cp-btn small" onClick={() => setStart(id)}>
          Make this the start
        </button>
      )}
      {problems && problems.length > 0 && (
        <ul className="cp-problem-list compact" data-testid="inspector-problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {plainProblem(p, documentNodes).message} <AddToFactsButton problem={p} />
              <small className="cp-details">{p.path}</small>
            </li>
          ))}
        </ul>
      )}
      {forbidden.length > 0 && (
        <p className="cp-error-text" data-testid="inspector-phi-forbidden">
          This step shows {forbidden.join(', ')}, which its role may not see. Remove the field or give the role that PHI
          class.
        </p>
      )}
      <PortConnections key={id} nodeId={id} />
      <Tabs
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'form', label: 'Settings', testId: 'inspector-tab-form' },
          { id: 'json', label: 'JSON', testId: 'inspector-tab-json' },
        ]}
      />
      {/* Outside the fieldset: a reviewer reads a read-only table full width too, and closes it. */}
      {custom && tab === 'form' && (
        <button type="button" className="cp-btn small" onClick={() => setWide(true)} data-testid="open-wide-editor">
          Open full width
        </button>
      )}
      {custom && wide && (
        <WideEditorDialog
          title={[data.title, nodeType?.title ?? data.type].filter(Boolean).join(': ')}
          type={data.type}
          onClose={() => setWide(false)}
        >
          <fieldset disabled={readOnly} className="cp-plain-fieldset">
            {customView}
          </fieldset>
        </WideEditorDialog>
      )}
      <fieldset disabled={readOnly} className="cp-plain-fieldset">
        {tab === 'json' ? (
          <JsonEditor
            path={`node/${id}/config.json`}
            value={data.config}
            schema={schema}
            readOnly={readOnly}
            onChange={(v) => v && typeof v === 'object' && !Array.isArray(v) && setConfig(v as Record<string, unknown>)}
            testId="inspector-json"
          />
        ) : (
          <>
            {!wide && customView}
            {(Object.keys(formSchema.properties ?? {}).length > 0 || formSchema.oneOf || formSchema.anyOf) && (
              <SchemaField
                schema={formSchema}
                root={schema}
                value={data.config}
                onChange={(v) => setConfig(v as Record<string, unknown>)}
                path=""
                label=""
              />
            )}
          </>
        )}
      </fieldset>
      <datalist id="cp-fact-paths">
        {paths.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
    </div>
  )
}

export const InspectorPanel = memo(InspectorPanelView)

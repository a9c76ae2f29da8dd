// Connecting ports without a mouse: for each output port of the selected node, a list of the
// nodes it can lead to (by title; two alike told apart by type and number), and "New step…",
// which opens the quick-add picker: the step picked is placed to the right of this one, connected
// and selected (the inspector opens it, the canvas focuses it). The canvas handles stay for
// pointer users; this is the same edit, by keyboard. The new step is a button, not a choice in
// the list: arrowing through a closed list chooses each option passed, and passing one must not
// add a step.
import { useMemo, useState } from 'react'
import { registry } from '../../registry.ts'
import { hasInputPort, portsOf } from '../../canvas/node-ports.ts'
import { useEditor } from '../../store/editor.store.ts'
import { useNodesContent } from '../../store/use-nodes-content.ts'
import { useDocumentNodes } from '../../validation/use-document-nodes.ts'
import { QuickAddPicker } from '../quick-add/quick-add-picker.tsx'
import { besideSource } from '../quick-add/quick-add-placement.ts'
import { focusNewStep } from '../quick-add/focus-new-step.ts'
import { stepLabels } from './step-labels.ts'

export function PortConnections({ nodeId }: { nodeId: string }) {
  const nodes = useNodesContent()
  const edges = useEditor((s) => s.edges)
  const readOnly = useEditor((s) => s.readOnly)
  const node = nodes.find((n) => n.id === nodeId)
  const ports = useMemo(() => (node ? portsOf(node.data.type, node.data.config) : []), [node])
  // Triggers start a flow; nothing leads into one.
  const targets = useMemo(
    () => nodes.filter((n) => n.id !== nodeId && hasInputPort(registry.get(n.data.type))),
    [nodes, nodeId],
  )
  const documentNodes = useDocumentNodes()
  const labels = useMemo(
    () =>
      stepLabels(
        documentNodes,
        targets.map((t) => t.id),
      ),
    [documentNodes, targets],
  )
  // The port whose "New step…" picker is open.
  const [adding, setAdding] = useState<string | null>(null)
  // Every list names every step: at 500 steps a node's three ports hold 1,500 options, built each
  // time the node is selected, and most selections are the press that starts a drag. So a list
  // holds its current choice alone until one of this node's lists is focused or pressed; the
  // rest arrive then, before the list opens.
  const [listedFor, setListedFor] = useState<string | null>(null)
  const listed = listedFor === nodeId
  const listAll = () => {
    if (!listed) setListedFor(nodeId)
  }
  if (!node || ports.length === 0) return null
  const lead = (port: string, target: string) => {
    const store = useEditor.getState()
    if (target === '') {
      const old = store.edges.find((e) => e.source === nodeId && e.sourceHandle === port)
      if (old) store.onEdgesChange([{ type: 'remove', id: old.id }])
      return
    }
    store.connect({ source: nodeId, sourceHandle: port, target, targetHandle: 'in' })
  }
  const addStep = (port: string, type: string) => {
    const store = useEditor.getState()
    const at = store.nodes.find((n) => n.id === nodeId)?.position ?? node.position
    const added = store.addNodeFrom(nodeId, port, type, besideSource(at, store.nodes))
    setAdding(null)
    if (added) focusNewStep(added)
  }
  return (
    <fieldset className="cp-connections" data-testid="port-connections">
      <legend>Outcomes lead to</legend>
      {ports.map((port) => {
        const current = edges.find((e) => e.source === nodeId && e.sourceHandle === port.name)?.target ?? ''
        const portTitle = port.title ?? port.name
        return (
          <div key={port.name} className="cp-connection">
            <label className="cp-field">
              <span className="cp-field-label">
                {portTitle}
                {port.required && !current && <span className="cp-badge warn">not connected</span>}
              </span>
              <select
                className="cp-input"
                value={current}
                disabled={readOnly}
                onChange={(e) => lead(port.name, e.target.value)}
                onFocus={listAll}
                onPointerDown={listAll}
                data-testid={`connect-${port.name}`}
              >
                <option value="">Not connected</option>
                {(listed ? targets : targets.filter((t) => t.id === current)).map((t) => (
                  <option key={t.id} value={t.id} title={`Step id: ${t.id}`}>
                    {labels.get(t.id) ?? t.id}
                  </option>
                ))}
              </select>
            </label>
            {!readOnly && (
              <button
                type="button"
                className="cp-btn small"
                aria-expanded={adding === port.name}
                onClick={() => setAdding(adding === port.name ? null : port.name)}
                data-testid={`connect-${port.name}-new`}
              >
                New step…<span className="cp-visually-hidden"> after {portTitle}</span>
              </button>
            )}
            {adding === port.name && (
              <QuickAddPicker
                stepTitle={node.data.title || registry.get(node.data.type)?.title || node.id}
                portTitle={portTitle}
                onPick={(type) => addStep(port.name, type)}
                onClose={() => setAdding(null)}
              />
            )}
          </div>
        )
      })}
    </fieldset>
  )
}

// Connecting ports without a mouse: for each output port of the selected node, a list of the
// nodes it can lead to (by title; two alike told apart by type and number), or a new step of a chosen type placed beside it (quick-add
// from a port). The canvas handles stay for pointer users; this is the same edit, by keyboard.
// Choosing a new step only marks it; its Add button adds it. A keyboard user moving through the
// list with the arrow keys passes every option, and each pass must not drop a step on the canvas.
import { useMemo, useState } from 'react'
import { registry } from '../../registry.ts'
import { portsOf } from '../../canvas/node-ports.ts'
import { useEditor } from '../../store/editor.store.ts'
import { useNodesContent } from '../../store/use-nodes-content.ts'
import { useDocumentNodes } from '../../validation/use-document-nodes.ts'
import { stepLabels } from './step-labels.ts'

const NEW_PREFIX = 'new:'

export function PortConnections({ nodeId }: { nodeId: string }) {
  const nodes = useNodesContent()
  const edges = useEditor((s) => s.edges)
  const readOnly = useEditor((s) => s.readOnly)
  const node = nodes.find((n) => n.id === nodeId)
  const ports = useMemo(() => (node ? portsOf(node.data.type, node.data.config) : []), [node])
  // Triggers start a flow; nothing leads into one.
  const targets = useMemo(
    () => nodes.filter((n) => n.id !== nodeId && !registry.get(n.data.type)?.trigger),
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
  const addable = registry.list().filter((t) => !t.trigger)
  // The new step chosen for a port, by port name, until its Add button is pressed.
  const [pending, setPending] = useState<Record<string, string>>({})
  if (!node || ports.length === 0) return null
  const lead = (port: string, index: number, choice: string) => {
    const store = useEditor.getState()
    const { [port]: _chosen, ...others } = pending
    setPending(others)
    if (choice === '') {
      const old = store.edges.find((e) => e.source === nodeId && e.sourceHandle === port)
      if (old) store.onEdgesChange([{ type: 'remove', id: old.id }])
      return
    }
    let target = choice
    if (choice.startsWith(NEW_PREFIX)) {
      // Beside the node, one row per port, so steps added from different ports do not overlap.
      const at = store.nodes.find((n) => n.id === nodeId)?.position ?? node.position
      const position = { x: at.x + 300, y: at.y + index * 140 }
      const added = store.addNode(choice.slice(NEW_PREFIX.length), position)
      if (!added) return
      target = added
      // addNode selects the new step; keep the one being wired selected so its list stays open.
      store.selectOnly(nodeId)
    }
    store.connect({ source: nodeId, sourceHandle: port, target, targetHandle: 'in' })
  }
  return (
    <fieldset className="cp-connections" data-testid="port-connections">
      <legend>Outcomes lead to</legend>
      {ports.map((port, index) => {
        const current = edges.find((e) => e.source === nodeId && e.sourceHandle === port.name)?.target ?? ''
        const newType = pending[port.name]
        return (
          <div key={port.name} className="cp-connection">
            <label className="cp-field">
              <span className="cp-field-label">
                {port.title ?? port.name}
                {port.required && !current && <span className="cp-badge warn">not connected</span>}
              </span>
              <select
                className="cp-input"
                value={newType ? `${NEW_PREFIX}${newType}` : current}
                disabled={readOnly}
                onChange={(e) =>
                  e.target.value.startsWith(NEW_PREFIX)
                    ? setPending({ ...pending, [port.name]: e.target.value.slice(NEW_PREFIX.length) })
                    : lead(port.name, index, e.target.value)
                }
                data-testid={`connect-${port.name}`}
              >
                <option value="">Not connected</option>
                <optgroup label="Existing steps">
                  {targets.map((t) => (
                    <option key={t.id} value={t.id} title={`Step id: ${t.id}`}>
                      {labels.get(t.id) ?? t.id}
                    </option>
                  ))}
                </optgroup>
                <optgroup label="A new step">
                  {addable.map((t) => (
                    <option key={t.type} value={`${NEW_PREFIX}${t.type}`}>
                      New: {t.title}
                    </option>
                  ))}
                </optgroup>
              </select>
            </label>
            {newType && (
              <button
                type="button"
                className="cp-btn small"
                onClick={() => lead(port.name, index, `${NEW_PREFIX}${newType}`)}
                data-testid={`connect-${port.name}-add`}
              >
                Add {registry.get(newType)?.title ?? newType} for {port.title ?? port.name}
              </button>
            )}
          </div>
        )
      })}
    </fieldset>
  )
}

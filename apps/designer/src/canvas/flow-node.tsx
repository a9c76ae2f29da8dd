// One node on the canvas: icon, title, type, an input handle and one named handle per output
// port. Memoised; reads only its own problems and highlight from the store.
import { memo, useEffect, useMemo, useRef } from 'react'
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react'
import { registry } from '../registry.ts'
import { useEditor } from '../store/editor.store.ts'
import type { CarepathNode } from './flow-graph.ts'
import { forbiddenShows, hasInputPort, phiOf, portsOf } from './node-ports.ts'

const NO_PROBLEMS: never[] = []

function FlowNodeView({ id, data, selected }: NodeProps<CarepathNode>) {
  const nodeType = registry.get(data.type)
  const problems = useEditor((s) => s.problemsByNode[id] ?? NO_PROBLEMS)
  const highlight = useEditor((s) => s.nodeHighlights[id])
  const isStart = useEditor((s) => s.start === id)
  const facts = useEditor((s) => s.meta.facts)
  const roles = useEditor((s) => s.meta.roles)
  const ports = useMemo(() => portsOf(data.type, data.config), [data.type, data.config])
  const phi = useMemo(() => phiOf(data.type, data.config, facts), [data.type, data.config, facts])
  const forbidden = useMemo(
    () => forbiddenShows(data.type, data.config, facts, roles),
    [data.type, data.config, facts, roles],
  )
  // Ports follow the config (a rule's outcome, an answer option): React Flow must re-measure
  // the handles whenever their names change, or a new port cannot be connected.
  // (Not on mount: React Flow measures new nodes itself, and 500 extra updates would stall a big flow.)
  const updateNodeInternals = useUpdateNodeInternals()
  const portKey = ports.map((p) => p.name).join('|')
  const measuredKey = useRef(portKey)
  useEffect(() => {
    if (measuredKey.current === portKey) return
    measuredKey.current = portKey
    updateNodeInternals(id)
  }, [id, portKey, updateNodeInternals])
  const errors = problems.filter((p) => p.severity === 'error').length
  const classes = [
    'cp-node',
    selected ? 'is-selected' : '',
    errors ? 'has-error' : problems.length ? 'has-warning' : '',
    highlight ? `hl-${highlight}` : '',
  ]
  return (
    <div
      className={classes.join(' ')}
      data-testid={`node-${id}`}
      data-node-type={data.type}
      title={problems.map((p) => p.message).join('\n')}
    >
      {hasInputPort(nodeType) && <Handle type="target" position={Position.Left} id="in" className="cp-handle-in" />}
      <div className="cp-node-head">
        <span className="cp-node-icon">{nodeType?.icon ?? '?'}</span>
        <span className="cp-node-title">{data.title || nodeType?.title || data.type}</span>
        {isStart && <span className="cp-badge start">start</span>}
      </div>
      <div className="cp-node-sub">
        <span className="cp-node-id">{id}</span> · {data.type}
      </div>
      {(phi.length > 0 || forbidden.length > 0 || problems.length > 0) && (
        <div className="cp-node-badges">
          {phi.map((c) => (
            <span key={c} className={`cp-badge phi phi-${c}`} title={`Handles ${c} PHI`}>
              {c}
            </span>
          ))}
          {forbidden.length > 0 && (
            <span
              className="cp-badge danger"
              data-testid={`phi-forbidden-${id}`}
              title={`Shows ${forbidden.join(', ')}, which its role may not see`}
            >
              ⚠ PHI not allowed
            </span>
          )}
          {problems.length > 0 && (
            <span className={`cp-badge ${errors ? 'danger' : 'warn'}`} data-testid={`node-problems-${id}`}>
              {problems.length} problem{problems.length > 1 ? 's' : ''}
            </span>
          )}
        </div>
      )}
      <div className="cp-ports">
        {ports.map((port) => (
          <div
            key={port.name}
            className="cp-port"
            data-testid={`port-${id}-${port.name}`}
            title={port.title ? `${port.title}${port.required ? ' (must be connected)' : ''}` : undefined}
          >
            <span className="cp-port-name">{port.name}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={port.name}
              className={port.required ? 'cp-handle-out required' : 'cp-handle-out'}
            />
          </div>
        ))}
      </div>
    </div>
  )
}

export const FlowNode = memo(FlowNodeView)

/** Built once at module scope, as React Flow asks. */
export const nodeTypes = { carepath: FlowNode }

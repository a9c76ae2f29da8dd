// The canvas: React Flow bound to the editor store, with drop-from-palette, quick-add from a port,
// keyboard shortcuts, minimap, zoom controls and highlight classes for diff, simulation and run paths.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react'
import { Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow, type Edge } from '@xyflow/react'
import { useEditor } from '../store/editor.store.ts'
import { freeSpot } from '../store/graph-edits.ts'
import { nodeTypes } from './flow-node.tsx'
import { edgeTypes } from './routed-edge.tsx'
import { useEdgeRoutes } from './edge-routes.store.ts'
import { PALETTE_MIME } from '../palette/palette-panel.tsx'
import type { CarepathNode } from './flow-graph.ts'
import { FIT_VIEW_OPTIONS, VIRTUALIZE_FROM_NODES } from './readable-fit.ts'
import { useCanvasQuickAdd } from '../features/quick-add/canvas-quick-add.tsx'

const selectNodes = (s: ReturnType<typeof useEditor.getState>) => s.nodes
const selectEdges = (s: ReturnType<typeof useEditor.getState>) => s.edges

// Module-level, so the canvas hands React Flow the same objects on every render.
// Routed edges draw auto-layout's orthogonal routes and are smoothstep edges otherwise.
const defaultEdgeOptions = { type: 'routed' }
const proOptions = { hideAttribution: true }
const multiSelectionKeys = ['Shift', 'Meta', 'Control']
const deleteKeys = ['Delete', 'Backspace']

function miniMapColor(node: CarepathNode): string {
  const highlight = useEditor.getState().nodeHighlights[node.id]
  if (highlight === 'added' || highlight === 'path-new') return '#16a34a'
  if (highlight === 'removed' || highlight === 'path-old') return '#dc2626'
  if (highlight === 'changed') return '#d97706'
  if (highlight === 'path') return '#2563eb'
  return '#94a3b8'
}

export function FlowCanvas() {
  const nodes = useEditor(selectNodes)
  const rawEdges = useEditor(selectEdges)
  const edgeHighlights = useEditor((s) => s.edgeHighlights)
  const edgeProblems = useEditor((s) => s.problems)
  const readOnly = useEditor((s) => s.readOnly)
  const { onNodesChange, onEdgesChange, connect, reconnect, addNode } = useEditor.getState()
  const { screenToFlowPosition, fitView } = useReactFlow()
  // Fit only a flow that has nodes when opened (fitting an empty canvas would zoom onto the
  // first node dropped), and only once its nodes are measured.
  const [fitOnOpen] = useState(() => useEditor.getState().nodes.length > 0)
  const initialized = useNodesInitialized()
  const fitStarted = useRef(false)
  // Settled once the opened flow is fitted (or needs no fit): what tests and the bench wait for.
  const [settled, setSettled] = useState(!fitOnOpen)
  useEffect(() => {
    if (!fitOnOpen || !initialized || fitStarted.current) return
    fitStarted.current = true
    void fitView(FIT_VIEW_OPTIONS).then(() => setSettled(true))
  }, [fitOnOpen, initialized, fitView])
  const flowId = useEditor((s) => s.flowId)
  const canvas = useRef<HTMLDivElement>(null)
  const quickAdd = useCanvasQuickAdd(canvas)
  // Routes belong to the flow they were computed for.
  useEffect(() => useEdgeRoutes.getState().clear(), [flowId])

  // Edges carry their highlight and a marker when a problem names their port.
  const edges = useMemo<Edge[]>(() => {
    const badPorts = new Set(
      edgeProblems
        .filter((p) => p.nodeId && /\.next\./.test(p.path))
        .map((p) => `${p.nodeId}:${p.path.split('.next.')[1]}`),
    )
    return rawEdges.map((e) => {
      const highlight = edgeHighlights[e.id]
      const bad = badPorts.has(`${e.source}:${e.sourceHandle}`)
      if (!highlight && !bad) return e
      return {
        ...e,
        className: [highlight ? `hl-${highlight}` : '', bad ? 'has-error' : ''].join(' '),
        animated: highlight === 'path' || highlight === 'path-new',
      }
    })
  }, [rawEdges, edgeHighlights, edgeProblems])

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }, [])

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME)
      if (!type) return
      event.preventDefault()
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY })
      addNode(type, freeSpot({ x: position.x - 100, y: position.y - 30 }, useEditor.getState().nodes))
    },
    [screenToFlowPosition, addNode],
  )

  return (
    <div
      ref={canvas}
      className="cp-canvas"
      data-testid="canvas"
      data-flow-id={flowId ?? ''}
      data-fitted={settled}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={quickAdd.onConnectEnd}
        onMoveStart={quickAdd.close}
        onReconnect={reconnect}
        edgesReconnectable={!readOnly}
        nodesConnectable={!readOnly}
        nodesDraggable={!readOnly}
        deleteKeyCode={readOnly ? null : deleteKeys}
        multiSelectionKeyCode={multiSelectionKeys}
        selectionKeyCode="Shift"
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length >= VIRTUALIZE_FROM_NODES}
        defaultEdgeOptions={defaultEdgeOptions}
        proOptions={proOptions}
      >
        <Background gap={20} size={1} />
        {nodes.length === 0 && !readOnly && (
          <div className="cp-canvas-empty" data-testid="canvas-empty">
            <strong>An empty canvas.</strong>
            <span>Drag a trigger from the palette to start, then add steps and connect their ports.</span>
          </div>
        )}
        <MiniMap pannable zoomable nodeColor={miniMapColor} style={{ width: 150, height: 100 }} />
        <Controls fitViewOptions={FIT_VIEW_OPTIONS} />
      </ReactFlow>
      {quickAdd.picker}
    </div>
  )
}

// The flow being edited: canvas nodes and edges, document meta, undo/redo and the clipboard.
// Components read it through narrow selectors (one node's problems, one flag), so dragging one
// node does not re-render the inspector or the palette.
import { create } from 'zustand'
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react'
import type { AnyNodeType, FlowDocument, Problem } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { pasteSelection, wirePort, withoutSelection } from './graph-edits.ts'
import {
  documentToGraph,
  freshNodeId,
  graphToDocument,
  type CarepathEdge,
  type CarepathNode,
  type CarepathNodeData,
  type FlowMeta,
} from '../canvas/flow-graph.ts'
import { retireEstimates } from '../canvas/estimated-size.ts'
import { hasInputPort } from '../canvas/node-ports.ts'

interface Snapshot {
  nodes: CarepathNode[]
  edges: CarepathEdge[]
  meta: FlowMeta
  start: string
}

/** How a node or edge is highlighted by the diff, simulator or run viewer. */
export type Highlight = 'added' | 'removed' | 'changed' | 'path' | 'path-old' | 'path-new'

export interface EditorState extends Snapshot {
  flowId: string | null
  revision: number
  savedHash: string | null
  dirty: boolean
  past: Snapshot[]
  future: Snapshot[]
  clipboard: { nodes: CarepathNode[]; edges: CarepathEdge[] } | null
  problems: Problem[]
  problemsByNode: Record<string, Problem[]>
  nodeHighlights: Record<string, Highlight>
  edgeHighlights: Record<string, Highlight>
  /** A read-only view (a diff or a published version) blocks edits. */
  readOnly: boolean

  load(document: FlowDocument, revision: number, hash: string | null): void
  document(): FlowDocument
  /** The document being edited, even while a read-only view is on the canvas. */
  editingDocument(): FlowDocument
  onNodesChange(changes: NodeChange<CarepathNode>[]): void
  onEdgesChange(changes: EdgeChange[]): void
  connect(connection: Connection): void
  reconnect(old: CarepathEdge, connection: Connection): void
  addNode(type: string, position: XYPosition): string | null
  /**
   * Add a step of `type` after `source`'s output `port` (quick-add from a port): the node, the
   * edge to it and its selection, as one undoable step. Null (and no change) when the type is
   * unknown, has no input port, or the view is read-only.
   */
  addNodeFrom(source: string, port: string, type: string, position: XYPosition): string | null
  updateNode(id: string, patch: Partial<CarepathNodeData>): void
  setMeta(patch: Partial<FlowMeta>): void
  /** Replace the whole document (edited as JSON), as one undoable step. */
  replaceDocument(document: FlowDocument): void
  setStart(id: string): void
  selectOnly(id: string | null): void
  deleteSelected(): void
  copySelected(): void
  paste(): void
  undo(): void
  redo(): void
  applyPositions(positions: Record<string, XYPosition>): void
  markSaved(revision: number, hash: string): void
  setProblems(problems: Problem[]): void
  setHighlights(nodes: Record<string, Highlight>, edges: Record<string, Highlight>): void
  setReadOnly(readOnly: boolean): void
  /** The editing session put aside while a read-only view (diff, run path) is on the canvas. */
  stashed:
    | (Snapshot & {
        past: Snapshot[]
        future: Snapshot[]
        dirty: boolean
        revision: number
        savedHash: string | null
        readOnly: boolean
      })
    | null
  viewLabel: string | null
  /** Show another document read-only with highlights; the edits in progress are kept aside. */
  enterView(
    label: string,
    document: FlowDocument,
    nodes: Record<string, Highlight>,
    edges: Record<string, Highlight>,
  ): void
  /** Back to editing, exactly where the analyst left off. */
  exitView(): void
}

const HISTORY_LIMIT = 100

function snapshot(state: Snapshot): Snapshot {
  return { nodes: state.nodes, edges: state.edges, meta: state.meta, start: state.start }
}

/** The start node: the given one while it exists, else the first trigger, else the first node. */
export function startOf(nodes: readonly CarepathNode[], current: string): string {
  if (nodes.some((n) => n.id === current)) return current
  return nodes.find((n) => registry.get(n.data.type)?.trigger)?.id ?? nodes[0]?.id ?? ''
}

/** A new, selected node of `nodeType` at `position`, with the type's defaults and an id no node has. */
function newNode(nodeType: AnyNodeType, position: XYPosition, nodes: readonly CarepathNode[]): CarepathNode {
  const id = freshNodeId(nodeType.type, new Set(nodes.map((n) => n.id)))
  const config = nodeType.config.parse(nodeType.defaults) as Record<string, unknown>
  return {
    id,
    type: 'carepath',
    position,
    selected: true,
    data: { type: nodeType.type, typeVersion: nodeType.typeVersion, config },
  }
}

/** `nodes` with `added` appended as the only selected node. */
function withOnlySelected(nodes: readonly CarepathNode[], added: CarepathNode): CarepathNode[] {
  return [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), added]
}

const emptyMeta: FlowMeta = {
  dsl: 'carepath.flow/1',
  id: 'new-flow',
  version: 1,
  title: 'New flow',
  facts: { type: 'object', properties: {} },
  roles: {},
}

export const useEditor = create<EditorState>()((set, get) => {
  /** Record the state before a change so undo can return to it. */
  const record = () => {
    const state = get()
    set({ past: [...state.past.slice(-HISTORY_LIMIT + 1), snapshot(state)], future: [], dirty: true })
  }
  return {
    flowId: null,
    revision: 0,
    savedHash: null,
    dirty: false,
    nodes: [],
    edges: [],
    meta: emptyMeta,
    start: '',
    past: [],
    future: [],
    clipboard: null,
    problems: [],
    problemsByNode: {},
    nodeHighlights: {},
    edgeHighlights: {},
    readOnly: false,

    load(document, revision, hash) {
      const { nodes, edges } = documentToGraph(document)
      const { nodes: _n, layout: _l, start, ...meta } = document
      set({
        flowId: document.id,
        revision,
        savedHash: hash,
        dirty: false,
        nodes,
        edges,
        meta,
        start,
        past: [],
        future: [],
        nodeHighlights: {},
        edgeHighlights: {},
        readOnly: false,
      })
    },
    document() {
      const { meta, start, nodes, edges } = get()
      return graphToDocument(meta, startOf(nodes, start), nodes, edges)
    },
    editingDocument() {
      const source = get().stashed ?? get()
      return graphToDocument(source.meta, startOf(source.nodes, source.start), source.nodes, source.edges)
    },
    onNodesChange(changes) {
      if (get().readOnly) {
        set({
          nodes: retireEstimates(
            changes,
            applyNodeChanges(
              changes.filter((c) => c.type === 'select' || c.type === 'dimensions'),
              get().nodes,
            ),
          ),
        })
        return
      }
      const significant = changes.some((c) => c.type === 'remove' || (c.type === 'position' && c.dragging === false))
      const startedDrag =
        changes.some((c) => c.type === 'position' && c.dragging === true) && !get().nodes.some((n) => n.dragging)
      if (significant || startedDrag) record()
      const nodes = retireEstimates(changes, applyNodeChanges(changes, get().nodes))
      const removed = new Set(changes.filter((c) => c.type === 'remove').map((c) => c.id))
      set({
        nodes,
        ...(removed.size
          ? {
              edges: get().edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
              start: startOf(nodes, get().start),
            }
          : {}),
      })
    },
    onEdgesChange(changes) {
      if (get().readOnly) {
        set({
          edges: applyEdgeChanges(
            changes.filter((c) => c.type === 'select'),
            get().edges,
          ),
        })
        return
      }
      if (changes.some((c) => c.type === 'remove')) record()
      set({ edges: applyEdgeChanges(changes, get().edges) })
    },
    connect({ source, sourceHandle, target }) {
      if (get().readOnly || !source || !target || !sourceHandle) return
      record()
      set({ edges: wirePort(get().edges, source, sourceHandle, target) })
    },
    reconnect(old, { source, sourceHandle, target }) {
      if (get().readOnly || !source || !target || !sourceHandle) return
      record()
      set({ edges: wirePort(get().edges, source, sourceHandle, target, old.id) })
    },
    addNode(type, position) {
      const nodeType = registry.get(type)
      if (!nodeType || get().readOnly) return null
      record()
      const node = newNode(nodeType, position, get().nodes)
      const nodes = withOnlySelected(get().nodes, node)
      set({ nodes, start: startOf(nodes, get().start) })
      return node.id
    },
    addNodeFrom(source, port, type, position) {
      const nodeType = registry.get(type)
      if (!nodeType || !hasInputPort(nodeType) || get().readOnly) return null
      if (!get().nodes.some((n) => n.id === source)) return null
      record()
      const node = newNode(nodeType, position, get().nodes)
      const nodes = withOnlySelected(get().nodes, node)
      const edges = wirePort(
        get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        source,
        port,
        node.id,
      )
      set({ nodes, edges, start: startOf(nodes, get().start) })
      return node.id
    },
    updateNode(id, patch) {
      if (get().readOnly) return
      record()
      set({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)) })
    },
    setMeta(patch) {
      if (get().readOnly) return
      record()
      set({ meta: { ...get().meta, ...patch } })
    },
    replaceDocument(document) {
      if (get().readOnly) return
      record()
      const { nodes, edges } = documentToGraph(document)
      const { nodes: _n, layout: _l, start, ...meta } = document
      set({ nodes, edges, meta, start })
    },
    setStart(id) {
      record()
      set({ start: id })
    },
    selectOnly(id) {
      set({
        nodes: get().nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
        edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      })
    },
    deleteSelected() {
      const { nodes, edges, readOnly } = get()
      if (readOnly || (!nodes.some((n) => n.selected) && !edges.some((e) => e.selected))) return
      record()
      const kept = withoutSelection(nodes, edges)
      set({ ...kept, start: startOf(kept.nodes, get().start) })
    },
    copySelected() {
      const { nodes, edges } = get()
      const chosen = nodes.filter((n) => n.selected)
      if (chosen.length === 0) return
      const ids = new Set(chosen.map((n) => n.id))
      set({
        clipboard: {
          nodes: structuredClone(chosen),
          edges: structuredClone(edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
        },
      })
    },
    paste() {
      const { clipboard, readOnly } = get()
      if (!clipboard || readOnly) return
      record()
      const pasted = pasteSelection(clipboard, get().nodes)
      set({
        nodes: [...get().nodes.map((n) => ({ ...n, selected: false })), ...pasted.nodes],
        edges: [...get().edges, ...pasted.edges],
      })
    },
    undo() {
      const { past, future } = get()
      const previous = past[past.length - 1]
      if (!previous) return
      set({ ...previous, past: past.slice(0, -1), future: [snapshot(get()), ...future], dirty: true })
    },
    redo() {
      const { past, future } = get()
      const next = future[0]
      if (!next) return
      set({ ...next, past: [...past, snapshot(get())], future: future.slice(1), dirty: true })
    },
    applyPositions(positions) {
      record()
      set({ nodes: get().nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id]! } : n)) })
    },
    markSaved(revision, hash) {
      set({ revision, savedHash: hash, dirty: false })
    },
    setProblems(problems) {
      const byNode: Record<string, Problem[]> = {}
      for (const problem of problems) if (problem.nodeId) (byNode[problem.nodeId] ??= []).push(problem)
      set({ problems, problemsByNode: byNode })
    },
    setHighlights(nodeHighlights, edgeHighlights) {
      set({ nodeHighlights, edgeHighlights })
    },
    setReadOnly(readOnly) {
      set({ readOnly })
    },
    stashed: null,
    viewLabel: null,
    enterView(label, document, nodeHighlights, edgeHighlights) {
      const state = get()
      const stashed = state.stashed ?? {
        ...snapshot(state),
        past: state.past,
        future: state.future,
        dirty: state.dirty,
        revision: state.revision,
        savedHash: state.savedHash,
        readOnly: state.readOnly,
      }
      const { nodes, edges } = documentToGraph(document)
      const { nodes: _n, layout: _l, start, ...meta } = document
      set({
        stashed,
        viewLabel: label,
        nodes,
        edges,
        meta,
        start,
        readOnly: true,
        nodeHighlights,
        edgeHighlights,
        past: [],
        future: [],
      })
    },
    exitView() {
      const { stashed } = get()
      if (!stashed) return set({ nodeHighlights: {}, edgeHighlights: {}, viewLabel: null })
      set({ ...stashed, stashed: null, viewLabel: null, nodeHighlights: {}, edgeHighlights: {} })
    },
  }
})

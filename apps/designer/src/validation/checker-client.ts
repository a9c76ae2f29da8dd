// The page's side of validation: sends the graph to the validation worker and hands back the
// problems of the latest request only (an older answer arriving late is dropped). Where there is
// no Worker (unit tests under jsdom), the same checker runs on this thread.
import type { Problem } from '@carepath/dsl'
import { startOf, type EditorState } from '../store/editor.store.ts'
import { createRequestChecker, type CheckReply, type CheckRequest } from './check-request.ts'

export interface CheckerClient {
  /** Check the editor's graph; `onProblems` runs once, if no newer check was asked for meanwhile. */
  check(state: EditorState, onProblems: (problems: Problem[]) => void): void
  dispose(): void
}

function requestOf(id: number, state: EditorState): CheckRequest {
  return {
    id,
    meta: state.meta,
    start: startOf(state.nodes, state.start),
    // Only what a document is built from: positions, ids, data; no React Flow internals.
    nodes: state.nodes.map((n) => ({ id: n.id, position: n.position, data: n.data })),
    edges: state.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target })),
  }
}

export function createCheckerClient(): CheckerClient {
  let latest = 0
  let waiting: ((problems: Problem[]) => void) | null = null
  if (typeof Worker === 'undefined') {
    const check = createRequestChecker()
    return {
      check: (state, onProblems) => onProblems(check(requestOf(++latest, state)).problems),
      dispose: () => {},
    }
  }
  const worker = new Worker(new URL('./validation.worker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (event: MessageEvent<CheckReply>) => {
    if (event.data.id !== latest || !waiting) return
    const deliver = waiting
    waiting = null
    deliver(event.data.problems)
  }
  return {
    check(state, onProblems) {
      waiting = onProblems
      worker.postMessage(requestOf(++latest, state))
    },
    dispose() {
      waiting = null
      worker.terminate()
    },
  }
}

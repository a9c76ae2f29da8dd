// Live validation: the same checks the runtime makes (validateFlow's results, byte for byte), run
// in a worker a moment after each edit (not on every drag frame), re-checking only the nodes
// that changed; the canvas thread only copies the graph out and takes the problems back.
import { useEffect } from 'react'
import { useEditor, type EditorState } from '../store/editor.store.ts'
import { createCheckerClient } from './checker-client.ts'

const DELAY_MS = 250
const MAX_WAIT_MS = 1000

/** What validation depends on; positions are left out so dragging does not revalidate. */
function contentKey(s: EditorState): unknown[] {
  return [s.meta, s.start, s.edges, ...s.nodes.map((n) => n.data), s.nodes.length]
}

function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

export function useLiveValidation(): void {
  useEffect(() => {
    const client = createCheckerClient()
    const runValidation = () =>
      client.check(useEditor.getState(), (problems) => useEditor.getState().setProblems(problems))
    let timer: ReturnType<typeof setTimeout> | undefined
    let last = contentKey(useEditor.getState())
    let pendingSince: number | null = null
    runValidation()
    const unsubscribe = useEditor.subscribe((state) => {
      const key = contentKey(state)
      if (sameKey(key, last)) return
      last = key
      // Debounced, but never starved: a stream of edits still gets checked at least every MAX_WAIT_MS.
      const now = performance.now()
      if (pendingSince === null) pendingSince = now
      clearTimeout(timer)
      timer = setTimeout(
        () => {
          pendingSince = null
          runValidation()
        },
        Math.max(0, Math.min(DELAY_MS, MAX_WAIT_MS - (now - pendingSince))),
      )
    })
    return () => {
      clearTimeout(timer)
      unsubscribe()
      client.dispose()
    }
  }, [])
}

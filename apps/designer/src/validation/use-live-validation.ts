// Live validation: the same validateFlow the runtime uses, run in the browser a moment after
// each edit (not on every drag frame).
import { useEffect } from 'react'
import { validateFlow } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { useEditor, type EditorState } from '../store/editor.store.ts'

const DELAY_MS = 250
const MAX_WAIT_MS = 1000

/** What validation depends on; positions are left out so dragging does not revalidate. */
function contentKey(s: EditorState): unknown[] {
  return [s.meta, s.start, s.edges, ...s.nodes.map((n) => n.data), s.nodes.length]
}

function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function runValidation(): void {
  const state = useEditor.getState()
  try {
    state.setProblems(validateFlow(state.document(), registry).problems)
  } catch {
    state.setProblems([
      {
        code: 'invalid-document',
        severity: 'error',
        path: '',
        message: 'The flow could not be checked; undo the last change.',
      },
    ])
  }
}

export function useLiveValidation(): void {
  useEffect(() => {
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
    }
  }, [])
}

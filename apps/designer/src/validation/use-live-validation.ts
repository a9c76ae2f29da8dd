// Live validation: the same checks the runtime makes (validateFlow's results, byte for byte), run
// in a worker a moment after each edit (not on every drag frame), re-checking only the nodes
// that changed; the canvas thread only copies the graph out and takes the problems back.
import { useEffect } from 'react'
import { useEditor } from '../store/editor.store.ts'
import { subscribeToContent } from '../store/same-content.ts'
import { createCheckerClient } from './checker-client.ts'

const DELAY_MS = 250
const MAX_WAIT_MS = 1000

export function useLiveValidation(): void {
  useEffect(() => {
    const client = createCheckerClient()
    const runValidation = () =>
      client.check(useEditor.getState(), (problems) => useEditor.getState().setProblems(problems))
    let timer: ReturnType<typeof setTimeout> | undefined
    let pendingSince: number | null = null
    runValidation()
    // Content only: dragging does not revalidate.
    const unsubscribe = subscribeToContent(() => {
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

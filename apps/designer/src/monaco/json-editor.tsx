// Monaco is large: it loads on first use, not with the log-in screen.
import { lazy, Suspense } from 'react'
import type { JsonEditorProps } from './json-editor-impl.tsx'

const Impl = lazy(() => import('./json-editor-impl.tsx'))

/** A Monaco JSON editor for one value, validated against a JSON Schema (see json-editor-impl). */
export function JsonEditor(props: JsonEditorProps) {
  return (
    <Suspense fallback={<div className="cp-state">Loading the editor…</div>}>
      <Impl {...props} />
    </Suspense>
  )
}

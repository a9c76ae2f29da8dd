// A Monaco JSON editor for one value, validated against a JSON Schema. Text that does not parse
// stays in the editor (never lost) and is reported instead of being applied.
import { useEffect, useRef, useState } from 'react'
import Editor from '@monaco-editor/react'
import { registerJsonSchema } from './monaco-setup.ts'

export interface JsonEditorProps {
  /** A stable model name, e.g. `node/coverage/config.json`; the schema is matched on it. */
  path: string
  value: unknown
  schema?: unknown
  height?: number | string
  readOnly?: boolean
  onChange(value: unknown): void
  testId?: string
}

export default function JsonEditorImpl({
  path,
  value,
  schema,
  height = 320,
  readOnly,
  onChange,
  testId,
}: JsonEditorProps) {
  const text = JSON.stringify(value, null, 2)
  const [draft, setDraft] = useState(text)
  const [error, setError] = useState<string | null>(null)
  const lastApplied = useRef(text)

  useEffect(() => {
    if (schema) registerJsonSchema(`file:///${path}`, schema)
  }, [path, schema])

  // Outside edits (form, builder, undo) replace the text unless the user is mid-edit with an error.
  useEffect(() => {
    if (text !== lastApplied.current) {
      lastApplied.current = text
      setDraft(text)
      setError(null)
    }
  }, [text])

  return (
    <div className="cp-json-editor" data-testid={testId}>
      {/* Monaco keeps Tab for indenting: say how a keyboard user gets out, before they are in. */}
      <p className="cp-hint cp-tab-hint" data-testid="editor-tab-hint">
        In the editor Tab indents. To leave it from the keyboard, press <kbd>Ctrl</kbd>+<kbd>M</kbd> (Tab then moves
        focus) and then <kbd>Tab</kbd>; press <kbd>Ctrl</kbd>+<kbd>M</kbd> again to indent with Tab.
      </p>
      <Editor
        height={height}
        language="json"
        path={`file:///${path}`}
        value={draft}
        options={{
          minimap: { enabled: false },
          fontSize: 12,
          readOnly,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: 2,
        }}
        onChange={(next) => {
          const source = next ?? ''
          setDraft(source)
          try {
            const parsed: unknown = JSON.parse(source)
            setError(null)
            lastApplied.current = JSON.stringify(parsed, null, 2)
            onChange(parsed)
          } catch (e) {
            setError(e instanceof Error ? e.message : 'Not valid JSON')
          }
        }}
      />
      {error && <p className="cp-error-text">Not applied yet: {error}</p>}
    </div>
  )
}

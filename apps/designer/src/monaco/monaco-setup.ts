// Monaco, bundled: the loader is pointed at the installed monaco-editor (no CDN) and workers
// are built by Vite. JSON models get their JSON Schema by file name, and fact paths complete
// inside any JSON string.
import * as monaco from 'monaco-editor'
import { loader } from '@monaco-editor/react'
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker'
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker?worker'

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return label === 'json' ? new JsonWorker() : new EditorWorker()
  },
}
loader.config({ monaco })

const schemas = new Map<string, { uri: string; fileMatch: string[]; schema: unknown }>()
import { getFactPaths } from './fact-paths.ts'

function pushSchemas(): void {
  monaco.languages.json.jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemas: [...schemas.values()],
  })
}

/** Validate the model at `modelPath` against `schema` (a JSON Schema object). */
export function registerJsonSchema(modelPath: string, schema: unknown): void {
  const uri = `carepath://schemas/${encodeURIComponent(modelPath)}`
  const existing = schemas.get(modelPath)
  if (existing && existing.schema === schema) return
  schemas.set(modelPath, { uri, fileMatch: [modelPath], schema })
  pushSchemas()
}

monaco.languages.registerCompletionItemProvider('json', {
  triggerCharacters: ['"', '.'],
  provideCompletionItems(model, position) {
    const line = model.getLineContent(position.lineNumber).slice(0, position.column - 1)
    // Only inside a string value: an odd number of quotes before the cursor, after a colon or in an array.
    const quotes = (line.match(/"/g) ?? []).length
    if (quotes % 2 === 0) return { suggestions: [] }
    const start = line.lastIndexOf('"') + 2
    const range = new monaco.Range(position.lineNumber, start, position.lineNumber, position.column)
    return {
      suggestions: getFactPaths().map((path) => ({
        label: path,
        kind: monaco.languages.CompletionItemKind.Field,
        detail: 'fact path',
        insertText: path,
        range,
      })),
    }
  },
})

export { monaco }

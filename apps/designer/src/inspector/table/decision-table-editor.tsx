// Placeholder until the decision.table config lands: edits the table keys as JSON.
import { JsonEditor } from '../../monaco/json-editor.tsx'
import type { CustomViewProps } from '../custom-views.ts'

export function DecisionTableEditor({ nodeId, config, onChange, readOnly }: CustomViewProps) {
  return <JsonEditor path={`node/${nodeId}/table.json`} value={config} readOnly={readOnly} onChange={(v) => v && typeof v === 'object' && onChange(v as Record<string, unknown>)} />
}

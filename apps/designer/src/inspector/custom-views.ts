// Node types that want more than the generated form name a custom view here; the view takes
// over the config keys it lists and the generated form draws the rest.
import type { ComponentType } from 'react'
import { RulesEditor } from './rules/rules-editor.tsx'
import { DecisionTableEditor } from './table/decision-table-editor.tsx'

export interface CustomViewProps {
  nodeId: string
  config: Record<string, unknown>
  onChange(config: Record<string, unknown>): void
  /** The config's JSON Schema, for Monaco. */
  jsonSchema: unknown
  readOnly: boolean
}

export const customViews: Record<string, { keys: readonly string[]; View: ComponentType<CustomViewProps> }> = {
  'decision.rules': { keys: ['rules'], View: RulesEditor },
  'decision.table': { keys: ['inputs', 'outputs', 'rows', 'hitPolicy', 'aggregation'], View: DecisionTableEditor },
}

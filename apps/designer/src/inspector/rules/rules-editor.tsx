// The custom view of decision.rules: each rule as a card (name, outcome, conditions built with
// the condition builder), or the same rules as JSON in Monaco; both edit one value.
import { useMemo, useState } from 'react'
import { z } from 'zod'
import { listFactPaths } from '@carepath/dsl'
import { rulesSchema } from '@carepath/rules'
import { useEditor } from '../../store/editor.store.ts'
import { JsonEditor } from '../../monaco/json-editor.tsx'
import { GroupEditor } from './condition-builder.tsx'
import { newLeaf, type RuleJson } from './rule-model.ts'
import type { CustomViewProps } from '../custom-views.ts'
import { Tabs } from '../../screens/tabs.tsx'

// Monaco validates rules against the rules package's own schema (the node config keeps them loose).
let rulesJsonSchema: unknown
function rulesSchemaJson(): unknown {
  if (rulesJsonSchema === undefined) {
    try {
      rulesJsonSchema = z.toJSONSchema(rulesSchema, { unrepresentable: 'any' })
    } catch {
      rulesJsonSchema = null
    }
  }
  return rulesJsonSchema ?? undefined
}

function freshRuleId(rules: RuleJson[]): string {
  const taken = new Set(rules.map((r) => r.id))
  for (let n = rules.length + 1; ; n++) if (!taken.has(`rule-${n}`)) return `rule-${n}`
}

export function RulesEditor({ nodeId, config, onChange, readOnly }: CustomViewProps) {
  const facts = useEditor((s) => s.meta.facts)
  const paths = useMemo(() => listFactPaths(facts), [facts])
  const [mode, setMode] = useState<'builder' | 'json'>('builder')
  const rules = (Array.isArray(config.rules) ? config.rules : []) as RuleJson[]
  const setRules = (next: RuleJson[]) => onChange({ ...config, rules: next })
  const setRule = (index: number, next: RuleJson) => setRules(rules.map((r, i) => (i === index ? next : r)))

  return (
    <section className="cp-custom-view" data-testid="rules-editor">
      <Tabs
        small
        value={mode}
        onChange={setMode}
        tabs={[
          { id: 'builder', label: 'Builder', testId: 'rules-mode-builder' },
          { id: 'json', label: 'JSON', testId: 'rules-mode-json' },
        ]}
      />
      {mode === 'json' ? (
        <JsonEditor
          path={`node/${nodeId}/rules.json`}
          value={rules}
          schema={rulesSchemaJson()}
          readOnly={readOnly}
          onChange={(v) => Array.isArray(v) && setRules(v as RuleJson[])}
          testId="rules-json"
        />
      ) : (
        <>
          {rules.length === 0 && (
            <p className="cp-empty">No rules yet. Add one: when its conditions hold, the decision takes its outcome.</p>
          )}
          {rules.map((rule, index) => (
            <div key={index} className="cp-rule-card" data-testid={`rule-${index}`}>
              <div className="cp-rule-head">
                <input
                  className="cp-input small"
                  value={rule.name ?? ''}
                  placeholder="Rule name"
                  onChange={(e) => setRule(index, { ...rule, name: e.target.value })}
                  data-testid={`rule-${index}-name`}
                  aria-label="Rule name"
                />
                <label className="cp-inline-label">
                  then
                  <input
                    className="cp-input small outcome"
                    value={rule.event?.type ?? ''}
                    onChange={(e) => setRule(index, { ...rule, event: { ...rule.event, type: e.target.value } })}
                    data-testid={`rule-${index}-outcome`}
                    aria-label="Outcome"
                  />
                </label>
                <button
                  type="button"
                  className="cp-btn small ghost"
                  disabled={index === 0}
                  onClick={() =>
                    setRules(rules.map((r, i) => (i === index - 1 ? rule : i === index ? rules[index - 1]! : r)))
                  }
                  aria-label="Move up"
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="cp-btn small ghost"
                  onClick={() => setRules(rules.filter((_, i) => i !== index))}
                  aria-label="Remove rule"
                  data-testid={`rule-${index}-remove`}
                >
                  ✕
                </button>
              </div>
              <small className="cp-hint">id {rule.id}</small>
              <GroupEditor
                group={rule.conditions ?? { all: [] }}
                ctx={{ facts, paths }}
                testId={`rule-${index}-when`}
                onChange={(conditions) => setRule(index, { ...rule, conditions })}
              />
            </div>
          ))}
          <button
            type="button"
            className="cp-btn"
            onClick={() =>
              setRules([
                ...rules,
                {
                  id: freshRuleId(rules),
                  name: '',
                  conditions: { all: [newLeaf(facts, paths)] },
                  event: { type: `outcome-${rules.length + 1}` },
                },
              ])
            }
            data-testid="rules-add"
          >
            + Add rule
          </button>
        </>
      )}
    </section>
  )
}

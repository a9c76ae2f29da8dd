// The custom view of decision.table: a grid of input columns (facts), output columns and rows,
// with the hit policy; each input cell is a unary test checked as it is typed. The JSON tab
// edits the same table in Monaco.
import { useMemo, useState } from 'react'
import { z } from 'zod'
import { jsonValueSchema, listFactPaths, type JsonValue } from '@carepath/dsl'
import { columnInfo, decisionTableSchema, parseCell } from '@carepath/rules'
import { useEditor } from '../../store/editor.store.ts'
import { JsonEditor } from '../../monaco/json-editor.tsx'
import type { CustomViewProps } from '../custom-views.ts'
import { Tabs } from '../../screens/tabs.tsx'

const HIT_POLICIES = decisionTableSchema.shape.hitPolicy.options
const AGGREGATIONS = decisionTableSchema.shape.aggregation.unwrap()
const configSchema = z.record(z.string(), z.unknown())
const scalarSchema = z.union([z.string(), z.number(), z.boolean()])

/**
 * The table as the grid draws it. Each part is read on its own and nothing is refused, so a table
 * that is not valid yet (a new column, a cell being typed) still shows; validation lists what is wrong.
 */
const gridTableSchema = z.object({
  inputs: z.array(z.object({ fact: z.string(), label: z.string().optional() })).catch([]),
  outputs: z
    .array(
      z.object({
        name: z.string().optional(),
        fact: z.string().optional(),
        label: z.string().optional(),
        priority: z.array(scalarSchema).optional(),
      }),
    )
    .catch([]),
  rows: z
    .array(
      z
        .object({
          id: z.string().optional(),
          cells: z.array(scalarSchema).catch([]),
          outputs: z.array(jsonValueSchema).catch([]),
          description: z.string().optional(),
        })
        .catch({ cells: [], outputs: [] }),
    )
    .catch([]),
  hitPolicy: decisionTableSchema.shape.hitPolicy.optional().catch(undefined),
  aggregation: AGGREGATIONS.optional().catch(undefined),
})
type GridTable = z.infer<typeof gridTableSchema>

function outputText(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
}
function readOutput(text: string): JsonValue {
  try {
    const parsed = jsonValueSchema.parse(JSON.parse(text))
    return typeof parsed === 'number' || typeof parsed === 'boolean' || parsed === null || typeof parsed === 'object'
      ? parsed
      : text
  } catch {
    return text
  }
}

export function DecisionTableEditor({ nodeId, config, onChange, jsonSchema, readOnly }: CustomViewProps) {
  const facts = useEditor((s) => s.meta.facts)
  const paths = useMemo(() => listFactPaths(facts), [facts])
  const [mode, setMode] = useState<'grid' | 'json'>('grid')
  const table = useMemo(() => gridTableSchema.parse(config), [config])
  const { inputs, outputs, rows } = table
  const set = (patch: Partial<GridTable>) => onChange({ ...config, ...patch })
  const setRow = (index: number, row: GridTable['rows'][number]) =>
    set({ rows: rows.map((r, i) => (i === index ? row : r)) })

  return (
    <section className="cp-custom-view" data-testid="table-editor">
      <Tabs
        small
        value={mode}
        onChange={setMode}
        tabs={[
          { id: 'grid', label: 'Grid', testId: 'table-mode-grid' },
          { id: 'json', label: 'JSON', testId: 'table-mode-json' },
        ]}
      />
      {mode === 'json' ? (
        <JsonEditor
          path={`node/${nodeId}/table.json`}
          value={config}
          schema={jsonSchema}
          readOnly={readOnly}
          onChange={(v) => {
            const parsed = configSchema.safeParse(v)
            if (parsed.success) onChange(parsed.data)
          }}
          testId="table-json"
        />
      ) : (
        <>
          <div className="cp-row">
            <label className="cp-inline-label">
              Hit policy
              <select
                className="cp-input small"
                value={table.hitPolicy}
                onChange={(e) => set({ hitPolicy: decisionTableSchema.shape.hitPolicy.parse(e.target.value) })}
                data-testid="table-hit-policy"
              >
                {HIT_POLICIES.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
            {table.hitPolicy === 'collect' && (
              <label className="cp-inline-label">
                Aggregation
                <select
                  className="cp-input small"
                  value={table.aggregation ?? ''}
                  onChange={(e) => set({ aggregation: AGGREGATIONS.optional().parse(e.target.value || undefined) })}
                >
                  <option value="">list</option>
                  <option>count</option>
                  <option>sum</option>
                  <option>min</option>
                  <option>max</option>
                </select>
              </label>
            )}
          </div>
          <div className="cp-grid-wrap">
            <table className="cp-grid" data-testid="table-grid">
              <thead>
                <tr>
                  <th>#</th>
                  {inputs.map((input, c) => (
                    <th key={`in${c}`} title="Input: a fact the table reads">
                      <select
                        value={input.fact}
                        onChange={(e) =>
                          set({ inputs: inputs.map((x, i) => (i === c ? { ...x, fact: e.target.value } : x)) })
                        }
                        aria-label={`Input column ${c + 1}: the fact it reads`}
                        data-testid={`table-input-${c}`}
                      >
                        {!paths.includes(input.fact) && <option value={input.fact}>{input.fact}</option>}
                        {paths.map((p) => (
                          <option key={p}>{p}</option>
                        ))}
                      </select>
                      {inputs.length > 1 && (
                        <button
                          type="button"
                          className="cp-btn small ghost"
                          onClick={() =>
                            set({
                              inputs: inputs.filter((_, i) => i !== c),
                              rows: rows.map((r) => ({ ...r, cells: r.cells.filter((_, i) => i !== c) })),
                            })
                          }
                          aria-label="Remove input column"
                        >
                          ✕
                        </button>
                      )}
                    </th>
                  ))}
                  {outputs.map((output, c) => (
                    <th
                      key={`out${c}`}
                      className="out"
                      title="Output: a port name (outcome) or a fact the table writes"
                    >
                      <input
                        value={output.fact ?? output.name ?? ''}
                        placeholder="outcome"
                        onChange={(e) =>
                          set({
                            outputs: outputs.map((x, i) =>
                              i === c
                                ? e.target.value.includes('.')
                                  ? { ...x, fact: e.target.value, name: undefined }
                                  : { ...x, name: e.target.value || 'outcome', fact: undefined }
                                : x,
                            ),
                          })
                        }
                        aria-label={`Output column ${c + 1}: outcome or fact written`}
                        data-testid={`table-output-${c}`}
                      />
                    </th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((row, r) => (
                  <tr key={r} data-testid={`table-row-${r}`}>
                    <td>{r + 1}</td>
                    {inputs.map((input, c) => {
                      const cell = row.cells[c] ?? '-'
                      const parsed = parseCell(cell, columnInfo(facts, input.fact).type)
                      return (
                        <td
                          key={`c${c}`}
                          className={parsed.ok ? '' : 'invalid'}
                          title={parsed.ok ? 'Unary test: -, 5, < 5, [1..5], "a", "b", not(...)' : parsed.message}
                        >
                          <input
                            value={String(cell)}
                            onChange={(e) =>
                              setRow(r, {
                                ...row,
                                cells: inputs.map((_, i) => (i === c ? e.target.value : (row.cells[i] ?? '-'))),
                              })
                            }
                            aria-label={`Row ${r + 1}, ${inputs[c]?.label ?? inputs[c]?.fact ?? `input ${c + 1}`}`}
                            data-testid={`table-cell-${r}-${c}`}
                          />
                        </td>
                      )
                    })}
                    {outputs.map((_, c) => (
                      <td key={`o${c}`} className="out">
                        <input
                          value={outputText(row.outputs[c])}
                          onChange={(e) =>
                            setRow(r, {
                              ...row,
                              outputs: outputs.map((__, i) =>
                                i === c ? readOutput(e.target.value) : (row.outputs[i] ?? null),
                              ),
                            })
                          }
                          aria-label={`Row ${r + 1}, output ${outputs[c]?.label ?? outputs[c]?.name ?? outputs[c]?.fact ?? c + 1}`}
                          data-testid={`table-out-${r}-${c}`}
                        />
                      </td>
                    ))}
                    <td>
                      <button
                        type="button"
                        className="cp-btn small ghost"
                        onClick={() => set({ rows: rows.filter((_, i) => i !== r) })}
                        aria-label="Remove row"
                      >
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && <p className="cp-empty small">No rows yet.</p>}
          <div className="cp-row">
            <button
              type="button"
              className="cp-btn small"
              onClick={() => set({ rows: [...rows, { cells: inputs.map(() => '-'), outputs: outputs.map(() => '') }] })}
              data-testid="table-add-row"
            >
              + Row
            </button>
            <button
              type="button"
              className="cp-btn small"
              onClick={() =>
                set({
                  inputs: [...inputs, { fact: paths[0] ?? 'input' }],
                  rows: rows.map((r) => ({ ...r, cells: [...r.cells, '-'] })),
                })
              }
            >
              + Input column
            </button>
            <button
              type="button"
              className="cp-btn small"
              onClick={() =>
                set({
                  outputs: [...outputs, { name: `out${outputs.length + 1}` }],
                  rows: rows.map((r) => ({ ...r, outputs: [...r.outputs, ''] })),
                })
              }
            >
              + Output column
            </button>
          </div>
        </>
      )}
    </section>
  )
}

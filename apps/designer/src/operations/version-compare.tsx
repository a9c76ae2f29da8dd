// A flow's version against the one it replaced (before and after a publish), as the runtime
// compares them: the same figures side by side and what changed, with a small chart of how
// each version's runs ended.
import { useState } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api, type FlowMetrics } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../screens/state-views.tsx'
import { duration } from './duration.ts'

const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`
const signed = (text: string, value: number | null) => (value === null ? '—' : value > 0 ? `+${text}` : text)
const label = (v: FlowMetrics) => (v.revision ? `v${v.revision}` : v.hash.slice(0, 8))

/** The flows that have run on more than one version, each with its versions newest first. */
function comparable(flows: FlowMetrics[]): Map<string, FlowMetrics[]> {
  const byFlow = new Map<string, FlowMetrics[]>()
  for (const v of flows) byFlow.set(v.flowId, [...(byFlow.get(v.flowId) ?? []), v])
  return new Map([...byFlow].filter(([, versions]) => versions.length > 1))
}

export function VersionCompare({ flows }: { flows: FlowMetrics[] }) {
  const choices = comparable(flows)
  const [flowId, setFlowId] = useState(() => [...choices.keys()][0] ?? '')
  const versions = choices.get(flowId) ?? []
  const [after, setAfter] = useState<string | null>(null)
  const [before, setBefore] = useState<string | null>(null)
  // Newest against the one before it unless the person picks others.
  const candidate = after ?? versions[0]?.hash ?? ''
  const base = before ?? versions.find((v) => v.hash !== candidate)?.hash ?? ''
  const comparison = useLoader(
    async () => (flowId && base && candidate ? api.compareMetrics(flowId, base, candidate) : null),
    [flowId, base, candidate],
  )
  if (choices.size === 0)
    return (
      <section aria-labelledby="compare-title" data-testid="version-compare-empty">
        <h3 id="compare-title">Before and after a publish</h3>
        <Empty>No flow has run on two versions yet: a comparison appears after a new version is published.</Empty>
      </section>
    )
  const pick = (set: (hash: string) => void, id: string, title: string, value: string) => (
    <label className="cp-field">
      <span>{title}</span>
      <select id={id} className="cp-input" value={value} onChange={(e) => set(e.target.value)}>
        {versions.map((v) => (
          <option key={v.hash} value={v.hash}>
            {label(v)}
            {v.published ? ' (published)' : ''}
          </option>
        ))}
      </select>
    </label>
  )
  const data = comparison.data
  const rows: [string, string, string, string][] = data
    ? [
        ['Runs started', String(data.before?.started ?? 0), String(data.after?.started ?? 0), ''],
        [
          'Completion rate',
          percent(data.before?.completionRate),
          percent(data.after?.completionRate),
          signed(percent(data.change.completionRate), data.change.completionRate),
        ],
        [
          'Cycle time p50',
          duration(data.before?.cycleMs.p50 ?? null),
          duration(data.after?.cycleMs.p50 ?? null),
          signed(duration(data.change.cycleP50Ms), data.change.cycleP50Ms),
        ],
        [
          'Cycle time p90',
          duration(data.before?.cycleMs.p90 ?? null),
          duration(data.after?.cycleMs.p90 ?? null),
          signed(duration(data.change.cycleP90Ms), data.change.cycleP90Ms),
        ],
      ]
    : []
  return (
    <section aria-labelledby="compare-title" data-testid="version-compare">
      <h3 id="compare-title">Before and after a publish</h3>
      <div className="cp-ops-filters">
        <label className="cp-field">
          <span>Flow</span>
          <select
            className="cp-input"
            value={flowId}
            onChange={(e) => {
              setFlowId(e.target.value)
              setAfter(null)
              setBefore(null)
            }}
          >
            {[...choices.keys()].map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        {pick(setBefore, 'compare-before', 'Before', base)}
        {pick(setAfter, 'compare-after', 'After', candidate)}
      </div>
      {comparison.loading && !data ? (
        <Loading what="the comparison" />
      ) : comparison.error ? (
        <ErrorState message={comparison.error} retry={comparison.reload} />
      ) : !data ? null : (
        <div className="cp-ops-charts">
          <table className="cp-table" data-testid="compare-table">
            <thead>
              <tr>
                <th>Figure</th>
                <th>Before</th>
                <th>After</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([name, was, is, change]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{was}</td>
                  <td>{is}</td>
                  <td>{change}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <figure className="cp-chart" aria-label="How the runs of each version ended">
            <figcaption>Runs ended, before and after</figcaption>
            <ResponsiveContainer width="100%" height={180}>
              <BarChart
                data={[
                  { name: 'before', ...ended(data.before) },
                  { name: 'after', ...ended(data.after) },
                ]}
                margin={{ top: 8, right: 8, bottom: 8, left: 0 }}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="completed" stackId="e" fill="#2f7d4f" />
                <Bar dataKey="failed" stackId="e" fill="#b3261e" />
                <Bar dataKey="cancelled" stackId="e" fill="#5f5f5f" />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </div>
      )}
    </section>
  )
}

const ended = (v: FlowMetrics | null) => ({
  completed: v?.completed ?? 0,
  failed: v?.failed ?? 0,
  cancelled: v?.cancelled ?? 0,
})

// Completion metrics per flow version and per connector, from the runtime's rollups, with small
// charts (Recharts): how each version's runs ended, and each connector's error rate.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { api, type FlowMetrics } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../screens/state-views.tsx'
import { VersionCompare } from './version-compare.tsx'
import { duration } from './duration.ts'

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`)

const versionLabel = (v: FlowMetrics) => `${v.flowId} ${v.revision ? `v${v.revision}` : v.hash.slice(0, 8)}`

export function MetricsPanel() {
  const metrics = useLoader(
    async () => ({ flows: await api.flowMetrics(), connectors: await api.connectorMetrics() }),
    [],
  )
  if (metrics.loading && !metrics.data) return <Loading what="metrics" />
  if (metrics.error) return <ErrorState message={metrics.error} retry={metrics.reload} />
  const flows = metrics.data?.flows ?? []
  const connectors = metrics.data?.connectors ?? []
  if (flows.length === 0) return <Empty>No runs yet: metrics appear as runs start and end.</Empty>
  const steps = flows.flatMap((version) => version.steps.map((step) => ({ version, step })))
  const outcomes = flows.map((v) => ({
    name: versionLabel(v),
    completed: v.completed,
    failed: v.failed,
    cancelled: v.cancelled,
    incident: v.now.incident,
    waiting: v.now.waiting,
  }))
  return (
    <section aria-label="Metrics" data-testid="metrics">
      <div className="cp-ops-charts">
        <figure className="cp-chart" aria-label="How each version's runs stand">
          <figcaption>Runs per flow version</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={outcomes} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" tick={{ fontSize: 11 }} interval={0} angle={-15} height={50} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="completed" stackId="r" fill="#2f7d4f" />
              <Bar dataKey="waiting" stackId="r" fill="#8a9bb0" />
              <Bar dataKey="incident" stackId="r" fill="#c77d1a" />
              <Bar dataKey="failed" stackId="r" fill="#b3261e" />
              <Bar dataKey="cancelled" stackId="r" fill="#5f5f5f" />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        {connectors.length > 0 && (
          <figure className="cp-chart" aria-label="Connector error rates">
            <figcaption>Connector calls and errors</figcaption>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart
                data={connectors.map((c) => ({ name: c.connector, ok: c.calls - c.errors, errors: c.errors }))}
                margin={{ top: 8, right: 8, bottom: 8, left: 0 }}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="ok" stackId="c" fill="#2f7d4f" />
                <Bar dataKey="errors" stackId="c" fill="#b3261e" />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        )}
      </div>
      <table className="cp-table" data-testid="flow-metrics">
        <thead>
          <tr>
            <th>Flow version</th>
            <th>Started</th>
            <th>Completed</th>
            <th>Failed</th>
            <th>Waiting</th>
            <th>Incidents (held now)</th>
            <th>Completion</th>
            <th>Cycle p50 / p90</th>
            <th>Outcomes</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((v) => (
            <tr key={`${v.flowId}@${v.hash}`} data-testid={`flow-metrics-${v.flowId}`}>
              <td>
                <a href={`#/runs?flow=${encodeURIComponent(v.flowId)}`}>{versionLabel(v)}</a>
                {v.published ? <small> (published)</small> : null}
              </td>
              <td>{v.started}</td>
              <td>{v.completed}</td>
              <td>{v.failed}</td>
              <td>{v.now.waiting}</td>
              <td>
                {v.incidents} ({v.now.incident})
              </td>
              <td>{percent(v.completionRate)}</td>
              <td>
                {duration(v.cycleMs.p50)} / {duration(v.cycleMs.p90)}
              </td>
              <td>
                {Object.entries(v.outcomes)
                  .map(([outcome, n]) => `${outcome}: ${n}`)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Human steps</h3>
      {steps.length === 0 ? (
        <Empty>No task has been claimed or answered yet.</Empty>
      ) : (
        <table className="cp-table" data-testid="step-metrics">
          <thead>
            <tr>
              <th>Step</th>
              <th>Flow version</th>
              <th>Claimed</th>
              <th>Time to claim p50 / p90</th>
              <th>Answered</th>
              <th>Time to answer p50 / p90</th>
            </tr>
          </thead>
          <tbody>
            {steps.map(({ version, step }) => (
              <tr key={`${version.flowId}@${version.hash}#${step.nodeId}`} data-testid={`step-metrics-${step.nodeId}`}>
                <td>{step.title}</td>
                <td>{versionLabel(version)}</td>
                <td>{step.claimed}</td>
                <td>
                  {duration(step.claimMs.p50)} / {duration(step.claimMs.p90)}
                </td>
                <td>{step.answered}</td>
                <td>
                  {duration(step.answerMs.p50)} / {duration(step.answerMs.p90)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <VersionCompare flows={flows} />
      {connectors.length > 0 && <h3>Connectors</h3>}
      {connectors.length > 0 && (
        <table className="cp-table" data-testid="connector-metrics">
          <thead>
            <tr>
              <th>Connector</th>
              <th>Calls</th>
              <th>Error rate</th>
              <th>Retries</th>
              <th>Latency p50 / p99</th>
            </tr>
          </thead>
          <tbody>
            {connectors.map((c) => (
              <tr key={c.connector}>
                <td>
                  <code>{c.connector}</code>
                </td>
                <td>{c.calls}</td>
                <td>{percent(c.errorRate)}</td>
                <td>{c.retries}</td>
                <td>
                  {duration(c.latencyMs.p50)} / {duration(c.latencyMs.p99)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

// Audit: the tamper-evident trail for the auditor. Records newest first, filtered by action or
// flow, one record's "why" in a drawer, and a check of the whole hash chain on the server.
import { useMemo, useState } from 'react'
import { api } from '../api/carepath-api.ts'
import type { AuditItem, AuditVerifyResult } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from './state-views.tsx'
import { RecordDrawer } from './audit-record-drawer.tsx'
import { PhiMapRollupSection } from '../features/phi-map/phi-map-rollup-section.tsx'

const PAGE_SIZE = 50
/** The router's largest page; its cursor walks oldest to newest, so the whole trail is read. */
const FETCH_SIZE = 1000

async function loadTrail(): Promise<AuditItem[]> {
  const items: AuditItem[] = []
  let cursor: number | undefined
  for (;;) {
    const page = await api.auditPage(FETCH_SIZE, cursor)
    items.push(...page.items)
    if (page.nextCursor === undefined || page.nextCursor === null || page.items.length === 0) break
    cursor = page.nextCursor
  }
  return items.reverse()
}

const short = (hash: string | undefined, length = 10) => (hash ? hash.slice(0, length) : '')

function stamp(iso: string): string {
  const t = new Date(iso)
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
}

/** A filter over the trail: '' (the first option) means no filter. */
function FilterSelect(props: {
  label: string
  testId: string
  all: string
  options: string[]
  value: string
  onChange: (value: string) => void
}) {
  return (
    <select
      className="cp-input small"
      value={props.value}
      aria-label={props.label}
      data-testid={props.testId}
      onChange={(e) => props.onChange(e.target.value)}
    >
      <option value="">{props.all}</option>
      {props.options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  )
}

export function AuditScreen() {
  const trail = useLoader(loadTrail, [])
  const [action, setAction] = useState('')
  const [flow, setFlow] = useState('')
  const [page, setPage] = useState(0)
  const [openSeq, setOpenSeq] = useState<number | null>(null)
  const [verify, setVerify] = useState<{ busy: boolean; result?: AuditVerifyResult; error?: string }>({ busy: false })

  const all = useMemo(() => trail.data ?? [], [trail.data])
  const actions = useMemo(() => [...new Set(all.map((i) => i.record.action))].sort(), [all])
  const flows = useMemo(() => [...new Set(all.flatMap((i) => i.record.entity.flow ?? []))].sort(), [all])
  const shown = all.filter((i) => (!action || i.record.action === action) && (!flow || i.record.entity.flow === flow))
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE))
  const current = Math.min(page, pages - 1)
  const rows = shown.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE)
  const open = all.find((i) => i.seq === openSeq)

  const runVerify = async () => {
    setVerify({ busy: true })
    try {
      setVerify({ busy: false, result: await api.verifyAudit() })
      // Show the records as they are stored now, so the one named broken reads as it is.
      trail.reload()
    } catch (e) {
      setVerify({ busy: false, error: e instanceof Error ? e.message : 'The chain could not be checked.' })
    }
  }

  return (
    <div className="cp-audit" data-testid="audit-screen">
      <div className="cp-page">
        <div className="cp-page-head">
          <h1>Audit trail</h1>
          <FilterSelect
            label="Filter by action"
            testId="audit-filter-action"
            all="All actions"
            options={actions}
            value={action}
            onChange={(v) => {
              setAction(v)
              setPage(0)
            }}
          />
          <FilterSelect
            label="Filter by flow"
            testId="audit-filter-flow"
            all="All flows"
            options={flows}
            value={flow}
            onChange={(v) => {
              setFlow(v)
              setPage(0)
            }}
          />
          <span className="cp-spacer" />
          <button type="button" className="cp-btn small" onClick={trail.reload} disabled={trail.loading}>
            Refresh
          </button>
          <button
            type="button"
            className="cp-btn primary"
            disabled={verify.busy}
            onClick={() => void runVerify()}
            data-testid="audit-verify"
          >
            {verify.busy ? 'Checking…' : 'Verify chain'}
          </button>
        </div>
        <VerifyBanner {...verify} onOpen={setOpenSeq} />
        {trail.loading && !trail.data ? (
          <Loading what="the audit trail" />
        ) : trail.error ? (
          <ErrorState message={trail.error} retry={trail.reload} />
        ) : !all.length ? (
          <Empty>No audit records yet. Every log-in, save, review, publication, run and task answer adds one.</Empty>
        ) : !shown.length ? (
          <Empty>No record matches these filters.</Empty>
        ) : (
          <>
            <table className="cp-table compact cp-audit-table" data-testid="audit-list">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When</th>
                  <th>Who</th>
                  <th>Role</th>
                  <th>Action</th>
                  <th>What</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((item) => (
                  <tr
                    key={item.seq}
                    className={`cp-clickable${item.seq === openSeq ? ' selected' : ''}`}
                    onClick={() => setOpenSeq(item.seq)}
                    data-testid="audit-row"
                    data-action={item.record.action}
                  >
                    <td className="cp-muted">
                      {/* A button, so the keyboard opens each record (the row's click is for the mouse). */}
                      <button
                        type="button"
                        className="cp-link-button"
                        aria-label={`Open record ${item.seq}`}
                        aria-pressed={item.seq === openSeq}
                        onClick={(e) => {
                          e.stopPropagation()
                          setOpenSeq(item.seq)
                        }}
                      >
                        {item.seq}
                      </button>
                    </td>
                    <td>{stamp(item.record.recorded)}</td>
                    <td>{item.record.agent.who}</td>
                    <td>{item.record.agent.role}</td>
                    <td>
                      <code>{item.record.action}</code>
                    </td>
                    <td>
                      <What entity={item.record.entity} />
                    </td>
                    <td>
                      <span className={`cp-status s-${item.record.outcome === 'success' ? 'completed' : 'rejected'}`}>
                        {item.record.outcome}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="cp-row cp-audit-pager" data-testid="audit-pager">
              <button
                type="button"
                className="cp-btn small"
                disabled={current === 0}
                onClick={() => setPage(current - 1)}
              >
                ← Newer
              </button>
              <span className="cp-muted">
                Page {current + 1} of {pages} · {shown.length} record{shown.length === 1 ? '' : 's'}
              </span>
              <button
                type="button"
                className="cp-btn small"
                disabled={current >= pages - 1}
                onClick={() => setPage(current + 1)}
              >
                Older →
              </button>
            </div>
          </>
        )}
        <PhiMapRollupSection />
      </div>
      {open && <RecordDrawer item={open} onClose={() => setOpenSeq(null)} />}
    </div>
  )
}

function What({ entity }: { entity: AuditItem['record']['entity'] }) {
  const parts: [string, string][] = []
  if (entity.flow) parts.push(['flow', entity.flow])
  if (entity.hash) parts.push(['version', short(entity.hash, 8)])
  if (entity.run) parts.push(['run', short(entity.run, 8)])
  if (entity.task) parts.push(['task', short(entity.task, 8)])
  if (entity.user) parts.push(['user', entity.user])
  if (!parts.length) return <span className="cp-muted">—</span>
  return (
    <span className="cp-audit-what">
      {parts.map(([label, value]) => (
        <span key={label} className="cp-badge" title={label}>
          {label} <b>{value}</b>
        </span>
      ))}
    </span>
  )
}

function VerifyBanner({
  result,
  error,
  onOpen,
}: {
  result?: AuditVerifyResult | undefined
  error?: string | undefined
  onOpen(seq: number): void
}) {
  if (error) return <ErrorState message={error} />
  if (!result) return null
  if (result.ok)
    return (
      <div className="cp-audit-verdict ok" role="status" data-testid="audit-verify-result">
        ✓ Chain intact: {result.checked} record{result.checked === 1 ? '' : 's'} checked
        {result.checkpoint
          ? `, up to the checkpoint of record ${result.checkpoint.seq} signed ${result.checkpoint.at}`
          : ''}
        .
      </div>
    )
  const broken = result.firstBroken
  return (
    <div className="cp-audit-verdict broken" role="alert" data-testid="audit-verify-result">
      ✗ Chain broken
      {broken ? (
        <>
          {' '}
          at record{' '}
          <button type="button" className="cp-btn small ghost" onClick={() => onOpen(broken.seq)}>
            #{broken.seq}
          </button>
          : {broken.reason}.
        </>
      ) : (
        `: ${result.problems[0] ?? 'unknown problem.'}`
      )}{' '}
      {result.checked} record{result.checked === 1 ? '' : 's'} before it check out.
      {result.problems.length > 1 ? (
        <ul className="cp-audit-problems">
          {result.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

// Audit search and the accounting of access. The auditor filters the trail by user, run, patient,
// action and time; with a patient (an MRN or a FHIR id), the search goes through the keyed-hash
// index (patient-index.ts) to the patient's runs, and from there to every record that touched
// them, task listings included (their record names tasks, the tasks name runs). Each row says who,
// when, which run or task, and which PHI classes were shown. Every search is itself audited.
import { z } from 'zod'
import { PHI_CLASSES, type FlowDocument, type PhiClass } from '@carepath/dsl'
import type { SqlDialect, SqlParam } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { auditSearched, type AuditActor } from './audit-entries.ts'
import type { AuditRecord } from './audit-record.ts'
import type { AuditService } from './audit.service.ts'
import { patientRef } from './patient-index.ts'

/** Actions that show a patient's data to someone (what an accounting of access lists). */
export const ACCESS_ACTIONS = ['run.start', 'run.read', 'task.read', 'task.claim', 'task.answer', 'phi.reveal'] as const

export const auditSearchSchema = z
  .object({
    /** An MRN, a FHIR Patient id, or another identifier the flows class as `identifier`. */
    patient: z.string().trim().min(1).max(200).optional(),
    user: z.string().trim().min(1).max(100).optional(),
    run: z.string().trim().min(1).max(100).optional(),
    action: z.string().trim().min(1).max(60).optional(),
    /** ISO date or date-time; `to` is exclusive (a date means its midnight, UTC). */
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    /** Only the records that show patient data (the accounting of access). */
    accessOnly: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(200),
    /** Records older than this sequence number (the page after the last one seen). */
    before: z.number().int().min(1).optional(),
  })
  .strict()
export type AuditSearch = z.input<typeof auditSearchSchema>

/** One row of a search: who, when, what, on which run or task, and the PHI classes shown. */
export interface AccessRow {
  seq: number
  at: string
  who: string
  role: string
  action: string
  outcome: 'success' | 'failure'
  flow: string | null
  run: string | null
  /** The task, or the tasks of a listing (those on the searched run or patient when one was given). */
  tasks: string[]
  /** The PHI classes the person was shown; null when the action shows none or did not record them. */
  classes: PhiClass[] | null
}

export interface AuditSearchResult {
  rows: AccessRow[]
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: number | null
}

interface Deps {
  store: Store
  audit: AuditService
  /** The PHI-reference key (from the key file): patient identifiers are searched by their keyed hash. */
  secret: string
  /** A published version's document (for the PHI classes a task's role may see). */
  version: (flowId: string, hash: string) => Promise<FlowDocument>
}

const isoStart = (value: string | undefined) =>
  value === undefined ? null : new Date(value.length === 10 ? `${value}T00:00:00Z` : value).toISOString()

/** A record's JSON text at `path` (a dotted path), in the dialect's words. */
export function jsonField(dialect: SqlDialect, path: string): string {
  return dialect === 'postgres'
    ? `(record::jsonb #>> '{${path.split('.').join(',')}}')`
    : `json_extract(record, '$.${path}')`
}

/** The task ids a record's `why.tasks` names, as a table of one column `value`. */
function recordTasks(dialect: SqlDialect): string {
  return dialect === 'postgres'
    ? `jsonb_array_elements_text(CASE WHEN jsonb_typeof(record::jsonb #> '{why,tasks}') = 'array' THEN record::jsonb #> '{why,tasks}' ELSE '[]'::jsonb END) AS j(value)`
    : `json_each(record, '$.why.tasks') j`
}

interface Filters {
  who: string | null
  action: string | null
  access: boolean
  from: string | null
  to: string | null
  run: string | null
  ref: Buffer | null
  before: number | null
  limit: number
}

/** The candidates' query: only the filters given, over the stored canonical JSON. */
function searchQuery(dialect: SqlDialect, f: Filters): { sql: string; params: SqlParam[] } {
  const where: string[] = []
  const params: SqlParam[] = []
  const add = (clause: string, ...values: SqlParam[]) => {
    where.push(clause)
    params.push(...values)
  }
  const actionField = jsonField(dialect, 'action')
  const runField = jsonField(dialect, 'entity.run')
  if (f.who !== null) add(`${jsonField(dialect, 'agent.who')} = ?`, f.who)
  if (f.action !== null) add(`${actionField} = ?`, f.action)
  if (f.access) add(`${actionField} IN (${ACCESS_ACTIONS.map((a) => `'${a}'`).join(', ')})`)
  if (f.from !== null) add('at >= ?', f.from)
  if (f.to !== null) add('at < ?', f.to)
  if (f.before !== null) add('seq < ?', f.before)
  const tasksOf = (runs: string) =>
    `EXISTS (SELECT 1 FROM ${recordTasks(dialect)} JOIN tasks t ON t.id = j.value WHERE t.run_id ${runs})`
  if (f.run !== null) add(`(${runField} = ? OR ${tasksOf('= ?')})`, f.run, f.run)
  if (f.ref !== null) {
    const runs = 'IN (SELECT run_id FROM patient_refs WHERE ref = ?)'
    add(`(${runField} ${runs} OR ${tasksOf(runs)})`, f.ref, f.ref)
  }
  params.push(f.limit)
  return {
    sql: `SELECT seq, at, record FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
    params,
  }
}

export function createAuditSearch(deps: Deps) {
  const { store, audit, secret } = deps
  // Candidates are chosen in SQL (over the stored canonical JSON); rows are read through the record schema.
  const taskLookup = (taskId: string) =>
    store.sql.get<{ run_id: string; role: string; flow_id: string; hash: string }>(
      'SELECT t.run_id, t.role, r.flow_id, r.hash FROM tasks t JOIN runs r ON r.id = t.run_id WHERE t.id = ?',
      [taskId],
    )

  /** The PHI classes a task's role is shown (the flow's role declaration), or null when the task is gone. */
  async function taskClasses(taskId: string): Promise<{ run: string; flow: string; classes: PhiClass[] } | undefined> {
    const task = await taskLookup(taskId)
    if (!task) return undefined
    const role = (await deps.version(task.flow_id, task.hash)).roles[task.role]
    const shown = new Set<PhiClass>(role?.phi ?? [])
    return { run: task.run_id, flow: task.flow_id, classes: PHI_CLASSES.filter((c) => shown.has(c)) }
  }

  async function rowOf(
    seq: number,
    at: string,
    record: AuditRecord,
    wanted: (run: string) => boolean,
  ): Promise<AccessRow> {
    const row: AccessRow = {
      seq,
      at,
      who: record.agent.who,
      role: record.agent.role,
      action: record.action,
      outcome: record.outcome,
      flow: record.entity.flow ?? null,
      run: record.entity.run ?? null,
      tasks: record.entity.task ? [record.entity.task] : [],
      classes: null,
    }
    if (record.action === 'run.read' || record.action === 'phi.reveal') row.classes = [...record.why.classes]
    if (record.action === 'task.read') {
      const listed = record.why.tasks
      const classes = new Set<PhiClass>()
      row.tasks = []
      for (const id of listed) {
        const task = await taskClasses(id)
        if (!task || !wanted(task.run)) continue
        row.tasks.push(id)
        row.run ??= task.run
        row.flow ??= task.flow
        for (const c of task.classes) classes.add(c)
      }
      row.classes = PHI_CLASSES.filter((c) => classes.has(c))
    }
    if ((record.action === 'task.claim' || record.action === 'task.answer') && record.entity.task)
      row.classes = (await taskClasses(record.entity.task))?.classes ?? null
    return row
  }

  /** Search the trail (newest first) and audit the search; `exported` says it was for a CSV file. */
  async function search(input: AuditSearch, actor: AuditActor, exported = false): Promise<AuditSearchResult> {
    const filters = auditSearchSchema.parse(input)
    const ref = filters.patient ? patientRef(secret, filters.patient) : null
    const query = searchQuery(store.dialect, {
      who: filters.user ?? null,
      action: filters.action ?? null,
      access: filters.accessOnly,
      from: isoStart(filters.from),
      to: isoStart(filters.to),
      run: filters.run ?? null,
      ref,
      before: filters.before ?? null,
      limit: filters.limit,
    })
    const rows = (await store.sql.all<{ seq: number; at: string; record: string }>(query.sql, query.params)).map(
      (r) => ({ ...r, seq: Number(r.seq) }),
    )
    const runs = ref
      ? new Set(
          (await store.sql.all<{ run_id: string }>('SELECT run_id FROM patient_refs WHERE ref = ?', [ref])).map(
            (r) => r.run_id,
          ),
        )
      : undefined
    const wanted = (run: string) => (!runs || runs.has(run)) && (!filters.run || filters.run === run)
    const result: AccessRow[] = []
    for (const r of rows) result.push(await rowOf(r.seq, r.at, await audit.readRecord(r.record), wanted))
    const used = (['patient', 'user', 'run', 'action', 'from', 'to', 'accessOnly'] as const).filter(
      (name) => filters[name] !== undefined && filters[name] !== false,
    )
    await audit.record(
      auditSearched(actor, {
        filters: [...used],
        ...(ref ? { patient: `hmac:${ref.toString('hex', 0, 8)}` } : {}),
        results: result.length,
        exported,
      }),
    )
    return {
      rows: result,
      nextBefore: rows.length === filters.limit ? (rows[rows.length - 1]?.seq ?? null) : null,
    }
  }

  return { search }
}
export type AuditSearchService = ReturnType<typeof createAuditSearch>

const CSV_COLUMNS = ['seq', 'at', 'who', 'role', 'action', 'outcome', 'flow', 'run', 'tasks', 'classes'] as const

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula (= + - @) is prefixed with '. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The rows as a CSV file (header first, CRLF line ends). */
export function accessRowsCsv(rows: readonly AccessRow[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const row of rows)
    lines.push(
      [
        String(row.seq),
        row.at,
        row.who,
        row.role,
        row.action,
        row.outcome,
        row.flow ?? '',
        row.run ?? '',
        row.tasks.join(' '),
        row.classes?.join(' ') ?? '',
      ]
        .map(csvCell)
        .join(','),
    )
  return lines.join('\r\n') + '\r\n'
}

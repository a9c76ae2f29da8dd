// Evidence attachments: files a review (a flow version) or a human step's task carries. The bytes
// may hold patient data, so they are sealed with the data cipher under a key per flow, bound to
// the attachment's id and hash (a sealed value copied to another row does not open). Each is
// stored with its sha256 and size; the audit trail names it by id and hash, never by name or
// content. Who may attach and download: for a review, the roles that work on reviews; for a
// task, the people who work its queue.
import { createHash, randomUUID } from 'node:crypto'
import { and, asc, eq } from 'drizzle-orm'
import { taskRequestSchema, type JsonValue } from '@carepath/dsl'
import { isFileReference } from '@carepath/nodes'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { attachmentAdded, attachmentRead } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { attachments, settings, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import type { TaskRow } from '../runs/run-store.ts'
import { worksRole } from '../runs/tasks.service.ts'
import { cleanFileName, detectType } from './attachment-types.ts'
import { evidenceSettingsSchema, sizeInWords, type EvidenceSettings } from './evidence-settings.schema.ts'

const SETTINGS_KEY = 'evidence'

/** Roles that work on reviews: they may attach evidence to one and read it back. */
export const REVIEW_EVIDENCE_ROLES: readonly UserRole[] = ['analyst', 'developer', 'reviewer', 'auditor']

export type AttachmentKind = 'review' | 'task'

/** What an attachment is attached to: a flow version under review (by hash), or a task (by id). */
export interface AttachmentTarget {
  kind: AttachmentKind
  flowId: string
  subject: string
}

/** An attachment as a list shows it: no content. */
export interface AttachmentView {
  id: string
  kind: AttachmentKind
  flowId: string
  subject: string
  name: string
  mediaType: string
  size: number
  sha256: string
  uploadedBy: string
  uploadedAt: string
}

type Row = typeof attachments.$inferSelect

const viewOf = (row: Row): AttachmentView => ({
  id: row.id,
  kind: row.kind,
  flowId: row.flowId,
  subject: row.subject,
  name: row.name,
  mediaType: row.mediaType,
  size: row.size,
  sha256: row.sha256,
  uploadedBy: row.uploadedBy,
  uploadedAt: row.uploadedAt,
})

const aadOf = (id: string, sha256: string) => `attachment|${id}|${sha256}`
const keyOf = (flowId: string) => `evidence:${flowId}`

export function createAttachmentsService(deps: {
  store: Store
  audit: AuditRecorder
  now: () => Date
  cipher: DataCipher
  /** The flow of a review, and whether it has the version under review (the flows service). */
  flows: {
    requireFlow(flowId: string): Promise<unknown>
    versionByHash(flowId: string, hash: string): Promise<unknown>
  }
  taskById: (id: string) => Promise<TaskRow | undefined>
}) {
  const { store, audit, now, cipher } = deps
  const { db } = store

  async function config(): Promise<EvidenceSettings> {
    const row = await db.select().from(settings).where(eq(settings.key, SETTINGS_KEY)).get()
    const parsed = evidenceSettingsSchema.safeParse(row?.value ?? {})
    return parsed.success ? parsed.data : evidenceSettingsSchema.parse({})
  }

  /** Change the size limit (admin); a value out of range is refused with why, and nothing changes. */
  async function configure(value: unknown): Promise<EvidenceSettings> {
    const parsed = evidenceSettingsSchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue?.path.map(String).join('.') ?? ''
      throw new AppError('bad-input', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path })
    }
    const json: JsonValue = { maxBytes: parsed.data.maxBytes }
    // Hand-written: drizzle names the conflict target with its table, which PostgreSQL does not accept.
    await store.sql.run(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [SETTINGS_KEY, JSON.stringify(json)],
    )
    return parsed.data
  }

  /**
   * Check the caller may see (and attach to) the target, and that it exists. A task outside the
   * caller's queues is reported as missing, as the inbox does.
   */
  async function requireAccess(
    target: AttachmentTarget,
    principal: Principal,
  ): Promise<{ hash?: string; run?: string }> {
    if (target.kind === 'review') {
      if (!REVIEW_EVIDENCE_ROLES.includes(principal.role))
        throw new AppError('forbidden', `The ${principal.role} role may not see a review’s evidence.`)
      await deps.flows.requireFlow(target.flowId)
      if (!(await deps.flows.versionByHash(target.flowId, target.subject)))
        throw new AppError('not-found', `The flow ${target.flowId} has no version ${target.subject}.`, {
          path: 'subject',
        })
      return { hash: target.subject }
    }
    const task = await deps.taskById(target.subject)
    if (principal.role !== 'agent' || !task || task.flow_id !== target.flowId || !worksRole(principal, task.role))
      throw new AppError('not-found', `No task with id "${target.subject}" in your queues.`, { path: 'subject' })
    return { run: task.run_id }
  }

  /** Attach a file: its type told from its content, its size under the limit; sealed at rest. */
  async function add(
    target: AttachmentTarget,
    rawName: string,
    bytes: Uint8Array,
    principal: Principal,
  ): Promise<AttachmentView> {
    const where = await requireAccess(target, principal)
    if (target.kind === 'task') {
      const task = await deps.taskById(target.subject)
      if (task && task.status !== 'open' && task.status !== 'claimed')
        throw new AppError('conflict', 'This task is already closed; evidence can no longer be attached to it.', {
          path: 'subject',
        })
    }
    const name = cleanFileName(rawName)
    if (!name) throw new AppError('bad-input', 'Give the file a name (like mapping.csv).', { path: 'name' })
    if (bytes.byteLength === 0) throw new AppError('bad-input', `“${name}” is empty.`, { path: 'file' })
    const { maxBytes } = await config()
    if (bytes.byteLength > maxBytes)
      throw new AppError(
        'payload-too-large',
        `“${name}” is ${sizeInWords(bytes.byteLength)}; the largest file that can be attached is ${sizeInWords(maxBytes)}.`,
        { path: 'file' },
      )
    const type = detectType(name, bytes)
    if (!type.ok) throw new AppError('bad-input', type.message, { path: 'file' })
    const id = randomUUID()
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const at = now().toISOString()
    const row: Row = {
      id,
      kind: target.kind,
      flowId: target.flowId,
      subject: target.subject,
      name,
      mediaType: type.mediaType,
      size: bytes.byteLength,
      sha256,
      content: '',
      uploadedBy: principal.username,
      uploadedAt: at,
    }
    // Sealed before the transaction: nothing but the store is awaited inside one.
    const content = await cipher.seal(keyOf(target.flowId), Buffer.from(bytes).toString('base64'), aadOf(id, sha256))
    await store.transaction(async () => {
      await db.insert(attachments).values({ ...row, content })
      await audit.record(
        attachmentAdded(
          auditActor(principal),
          { flow: target.flowId, ...where, ...(target.kind === 'task' ? { task: target.subject } : {}) },
          { attachment: id, kind: target.kind, sha256, size: row.size, mediaType: row.mediaType },
        ),
      )
    })
    return viewOf(row)
  }

  /** The attachments of a target, oldest first (names, sizes and hashes; no content). */
  async function list(target: AttachmentTarget, principal: Principal): Promise<AttachmentView[]> {
    await requireAccess(target, principal)
    const rows = await db
      .select()
      .from(attachments)
      .where(
        and(
          eq(attachments.kind, target.kind),
          eq(attachments.flowId, target.flowId),
          eq(attachments.subject, target.subject),
        ),
      )
      .orderBy(asc(attachments.uploadedAt), asc(attachments.id))
      .all()
    return rows.map(viewOf)
  }

  /** The file itself, for someone allowed to see it; every download is audited. */
  async function read(id: string, principal: Principal): Promise<{ view: AttachmentView; bytes: Buffer }> {
    const row = await db.select().from(attachments).where(eq(attachments.id, id)).get()
    if (!row) throw new AppError('not-found', 'No such attachment.', { path: 'id' })
    const where = await requireAccess({ kind: row.kind, flowId: row.flowId, subject: row.subject }, principal)
    const bytes = Buffer.from(await cipher.open(row.content, aadOf(row.id, row.sha256)), 'base64')
    await audit.record(
      attachmentRead(
        auditActor(principal),
        { flow: row.flowId, ...where, ...(row.kind === 'task' ? { task: row.subject } : {}) },
        { attachment: row.id, kind: row.kind, sha256: row.sha256, size: row.size, mediaType: row.mediaType },
      ),
    )
    return { view: viewOf(row), bytes }
  }

  /**
   * An answer's file fields must name attachments of that very task, by id and hash, so a run's
   * facts never point at a file nobody can find or at another task's evidence.
   */
  async function checkTaskFiles(
    taskId: string,
    references: readonly { attachment: string; sha256: string }[],
  ): Promise<void> {
    for (const ref of references) {
      const row = await db.select().from(attachments).where(eq(attachments.id, ref.attachment)).get()
      if (!row || row.kind !== 'task' || row.subject !== taskId || row.sha256 !== ref.sha256)
        throw new AppError('invalid-answer', 'A file in the answer was not attached to this task; attach it again.', {
          path: 'answer',
        })
    }
  }

  /**
   * Before a task's answer is accepted: each file field names an attachment of that task. A task
   * outside the caller's queues is left to the tasks service, which reports it missing.
   */
  async function checkTaskAnswer(taskId: string, answer: JsonValue, principal: Principal): Promise<void> {
    const task = await deps.taskById(taskId)
    if (!task || !worksRole(principal, task.role)) return
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return
    // Stored by the runs service from a parsed task.opened event; checked again as it is read back.
    const request = taskRequestSchema.parse(JSON.parse(task.request))
    const references = request.fields.flatMap((field) => {
      const value = answer[field.name]
      return field.type === 'file' && value !== undefined && isFileReference(value) ? [value] : []
    })
    await checkTaskFiles(taskId, references)
  }

  return { config, configure, add, list, read, checkTaskAnswer }
}
export type AttachmentsService = ReturnType<typeof createAttachmentsService>

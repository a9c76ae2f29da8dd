// Evidence over real HTTP: a review's and a task's attachments go up as raw bodies, are sealed in
// the database (a canary never appears in the file), come back byte for byte to the roles that may
// see them, and are named in the audit trail by hash only. Wrong types, renamed files, oversize
// files and wrong roles get a clear 4xx and store nothing.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { createApp } from '../http/app.ts'
import {
  createTestRuntime,
  passwordOnly,
  publishFlow,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])

/** A go-live step that asks the integration queue for its test evidence. */
const evidenceFlow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'go-live',
  version: 1,
  title: 'Go-live',
  facts: {
    type: 'object',
    properties: {
      interface: { type: 'string', 'x-phi': 'none' },
      testing: {
        type: 'object',
        'x-phi': 'none',
        properties: { evidence: { type: 'object', 'x-phi': 'none' }, note: { type: 'string', 'x-phi': 'none' } },
      },
    },
  },
  roles: { 'front-desk': { phi: ['none'] } },
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'upload' } },
    upload: {
      type: 'task.form',
      typeVersion: 1,
      config: {
        role: 'front-desk',
        title: 'Upload the test evidence',
        shows: ['interface'],
        fields: [
          { name: 'evidence', label: 'Test evidence', type: 'file', required: true },
          { name: 'note', label: 'Note', type: 'string' },
        ],
        into: 'testing',
      },
      next: { submitted: 'done' },
    },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'live' }, next: {} },
  },
}

const CANARY = 'CANARY-MRN-93817-PATIENT-DOE'
const csv = Buffer.from(`source,target,example\nPID-3,mrn,${CANARY}\n`)
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)])
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 1)])

let t: TestRuntime
let server: Server
let base: string
let hash: string
let otherAgent: string
const logs: string[] = []

beforeAll(async () => {
  t = await createTestRuntime({ registry })
  hash = await publishFlow(t, evidenceFlow)
  await t.runtime.auth.addUser(
    { username: 'billing-agent', password: TEST_PASSWORD, role: 'agent', flowRoles: ['billing'] },
    { who: 'test', role: 'system' },
  )
  await passwordOnly(t.runtime, ['billing-agent'])
  otherAgent = sessionToken(await t.runtime.auth.login('billing-agent', TEST_PASSWORD))
  server = createServer(createApp(t.runtime, { isReady: () => true, log: (line) => logs.push(line) }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await t.close()
})

function upload(
  token: string | undefined,
  query: Record<string, string>,
  body: Buffer,
  type = 'application/octet-stream',
) {
  return fetch(`${base}/api/attachments?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  })
}
const download = (token: string | undefined, id: string) =>
  fetch(`${base}/api/attachments/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
const viewSchema = z.object({ id: z.string(), sha256: z.string(), mediaType: z.string() }).loose()
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
/** The attachment a 201 answers with. */
const viewOf = async (response: Response) => viewSchema.parse(await response.json())
/** The plain message of a refusal. */
const messageOf = async (response: Response) => errorSchema.parse(await response.json()).error.message
const review = (name: string) => ({ kind: 'review', flow: 'go-live', subject: hash, name })

async function trail() {
  return (await t.as.auditor.audit.list({ limit: 500 })).items.map((i) => i.record)
}

describe('evidence attached to a review', () => {
  it('stores the file sealed with its sha256 and size, lists it, and gives it back byte for byte', async () => {
    const response = await upload(t.tokens.analyst, review('mapping.csv'), csv, 'text/csv')
    expect(response.status).toBe(201)
    const view = await viewOf(response)
    expect(view).toMatchObject({
      name: 'mapping.csv',
      mediaType: 'text/csv',
      size: csv.byteLength,
      sha256: createHash('sha256').update(csv).digest('hex'),
      uploadedBy: 'analyst',
    })
    const listed = await t.as.reviewer.attachments.list({ kind: 'review', flowId: 'go-live', subject: hash })
    expect(listed.map((a) => a.id)).toContain(view.id)

    const back = await download(t.tokens.reviewer, view.id)
    expect(back.status).toBe(200)
    expect(back.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''mapping\.csv$/)
    expect(back.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await back.arrayBuffer()).equals(csv)).toBe(true)

    // The trail names the file by id and hash (no name, no content), upload and download both.
    const records = await trail()
    const added = records.find((r) => r.action === 'attachment.add' && r.why.attachment === view.id)
    const read = records.find((r) => r.action === 'attachment.read' && r.why.attachment === view.id)
    expect(added).toMatchObject({
      agent: { who: 'analyst' },
      entity: { flow: 'go-live', hash },
      why: { sha256: view.sha256 },
    })
    expect(read).toMatchObject({ agent: { who: 'reviewer' }, why: { sha256: view.sha256, size: csv.byteLength } })
    expect(JSON.stringify(records)).not.toContain('mapping.csv')
    expect(JSON.stringify(records)).not.toContain(CANARY)
  })

  it('never writes the content in plain text to the database file', async () => {
    const response = await upload(t.tokens.analyst, review('canary.txt'), Buffer.from(`patient ${CANARY}`))
    expect(response.status).toBe(201)
    t.runtime.db.$client.pragma('wal_checkpoint(TRUNCATE)')
    for (const file of [t.runtime.file, `${t.runtime.file}-wal`]) {
      if (!existsSync(file)) continue
      const bytes = readFileSync(file)
      expect(bytes.includes(CANARY)).toBe(false)
      expect(bytes.includes(Buffer.from(CANARY).toString('base64').slice(0, 16))).toBe(false)
    }
    // Sealed under the flow's evidence key, bound to its row.
    const row = t.runtime.db.$client
      .prepare<[], { content: string }>("SELECT content FROM attachments WHERE name = 'canary.txt'")
      .get()
    expect(row?.content.startsWith('enc1:evidence%3Ago-live:')).toBe(true)
  })

  it('tells the type from the bytes: a program, a renamed program and an empty file are refused', async () => {
    const before = await t.as.analyst.attachments.list({ kind: 'review', flowId: 'go-live', subject: hash })
    const cases: [string, Buffer, RegExp][] = [
      ['setup.exe', exe, /cannot be attached: only PDF, PNG, JPEG, CSV/],
      ['report.pdf', exe, /“report.pdf” is not a PDF: its content does not match its name/],
      ['sheet.xlsx', png, /is not an Excel workbook/],
      ['evidence.png', Buffer.alloc(0), /is empty/],
      ['notes.txt', Buffer.from([0x41, 0x00, 0x42]), /is not a text file/],
    ]
    for (const [name, body, message] of cases) {
      const response = await upload(t.tokens.analyst, review(name), body, 'application/pdf')
      expect([name, response.status]).toEqual([name, 400])
      expect(await messageOf(response)).toMatch(message)
    }
    const png201 = await upload(t.tokens.developer, review('screenshot.png'), png, 'text/plain')
    expect(png201.status).toBe(201)
    expect((await viewOf(png201)).mediaType).toBe('image/png')
    const after = await t.as.analyst.attachments.list({ kind: 'review', flowId: 'go-live', subject: hash })
    expect(after.length).toBe(before.length + 1)
  })

  it('refuses a file over the size limit (an admin setting) with the limit in words, storing nothing', async () => {
    expect((await t.as.analyst.attachments.settings()).maxBytes).toBe(10 * 1024 * 1024)
    await t.as.admin.attachments.setSettings({ maxBytes: 2048 })
    const before = (await t.as.analyst.attachments.list({ kind: 'review', flowId: 'go-live', subject: hash })).length
    const big = Buffer.alloc(3000, 0x61)
    const response = await upload(t.tokens.analyst, review('big.txt'), big)
    expect(response.status).toBe(413)
    expect(await messageOf(response)).toMatch(/larger than 2 KB/)
    expect((await t.as.analyst.attachments.list({ kind: 'review', flowId: 'go-live', subject: hash })).length).toBe(
      before,
    )
    await expect(t.as.admin.attachments.setSettings({ maxBytes: 10 })).rejects.toThrow(/at least 1 KB/)
    await expect(t.as.analyst.attachments.setSettings({ maxBytes: 4096 })).rejects.toThrow(/may not/)
    await t.as.admin.attachments.setSettings({ maxBytes: 10 * 1024 * 1024 })
  })

  it('lets only the review roles attach or download; others get a clear 401/403/404', async () => {
    const response = await upload(t.tokens.reviewer, review('vendor-baa.pdf'), Buffer.from('%PDF-1.7\n%test\n'))
    expect(response.status).toBe(201)
    const { id } = await viewOf(response)
    expect((await download(t.tokens.auditor, id)).status).toBe(200)
    for (const role of ['agent', 'operator', 'admin'] as const) {
      const refused = await download(t.tokens[role], id)
      expect([role, refused.status]).toEqual([role, 403])
      expect(await messageOf(refused)).toMatch(new RegExp(`The ${role} role may not`))
      expect((await upload(t.tokens[role], review('x.txt'), Buffer.from('x'))).status).toBe(403)
    }
    expect((await download(undefined, id)).status).toBe(401)
    expect((await upload(undefined, review('x.txt'), Buffer.from('x'))).status).toBe(401)
    expect((await download(t.tokens.reviewer, 'no-such-id')).status).toBe(404)
    const badQuery = await upload(
      t.tokens.analyst,
      { kind: 'vendor', flow: 'go-live', subject: hash, name: 'a.txt' },
      Buffer.from('a'),
    )
    expect(badQuery.status).toBe(400)
    const noVersion = await upload(t.tokens.analyst, { ...review('a.txt'), subject: 'f'.repeat(64) }, Buffer.from('a'))
    expect(noVersion.status).toBe(404)
    expect(logs).toEqual([])
  })
})

describe('evidence on a task (a file field)', () => {
  it('the queue’s agent attaches test evidence and answers with it; others cannot see it', async () => {
    await t.as.agent.runs.start({ flowId: 'go-live', input: { interface: 'lab-results' }, idempotencyKey: 'g-1' })
    const [task] = await t.as.agent.tasks.inbox()
    const target = { kind: 'task', flow: 'go-live', subject: task!.id }
    const response = await upload(t.tokens.agent, { ...target, name: 'test-run.pdf' }, Buffer.from('%PDF-1.4 evidence'))
    expect(response.status).toBe(201)
    const file = await viewOf(response)

    // An agent of another queue, and the review roles, do not learn the task exists.
    expect((await upload(otherAgent, { ...target, name: 'x.txt' }, Buffer.from('x'))).status).toBe(404)
    expect((await download(otherAgent, file.id)).status).toBe(404)
    expect((await download(t.tokens.reviewer, file.id)).status).toBe(404)
    expect((await download(t.tokens.agent, file.id)).status).toBe(200)

    // An answer naming a file this task does not have is refused, and the run waits on.
    const forged = { attachment: file.id, sha256: 'f'.repeat(64) }
    await expect(t.as.agent.tasks.answer({ id: task!.id, answer: { evidence: forged } })).rejects.toThrow(
      /was not attached to this task/,
    )
    const done = await t.as.agent.tasks.answer({
      id: task!.id,
      answer: { evidence: { attachment: file.id, sha256: file.sha256 }, note: 'all green' },
    })
    expect(done).toMatchObject({ status: 'completed', outcome: 'live' })
    // Closed: no more evidence on it.
    expect((await upload(t.tokens.agent, { ...target, name: 'late.txt' }, Buffer.from('late'))).status).toBe(409)
    const added = (await trail()).find((r) => r.action === 'attachment.add' && r.why.attachment === file.id)
    expect(added).toMatchObject({
      entity: { flow: 'go-live', task: task!.id },
      why: { kind: 'task', sha256: file.sha256 },
    })
  })
})

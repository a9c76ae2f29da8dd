// Change notices with real peers: a loopback SMTP server and a loopback webhook receive what the
// owners are told when a flow is published, rolled back and retired; the in-app inbox holds it
// for people, read or unread; subscribers are told too; each notice and its recipients are audited.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHttpAdapter } from '../integrations/http/http.adapter.ts'
import { createNotifyAdapter } from '../integrations/notify/notify.adapter.ts'
import { intakeFlow, intakeSuite } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { waitUntil } from '../testing/wait-until.ts'

const mails: { to: string[]; data: string }[] = []
const hooks: unknown[] = []
let smtp: SMTPServer
let smtpPort: number
let webhook: Server
let hookBase: string

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const parts: Buffer[] = []
      stream.on('data', (c: Buffer) => parts.push(c))
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(parts).toString() })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
  smtpPort = (smtp.server.address() as AddressInfo).port
  webhook = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      if (req.url?.startsWith('/refuse')) {
        res.writeHead(500).end()
        return
      }
      hooks.push(JSON.parse(Buffer.concat(parts).toString()))
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve))
  hookBase = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
  await new Promise((resolve) => webhook.close(resolve))
})

describe('change notices', () => {
  let t: TestRuntime
  beforeEach(async () => {
    mails.length = 0
    hooks.length = 0
    t = await createTestRuntime({
      connectors: {
        notify: createNotifyAdapter({
          smtp: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'carepath@clinic.test' },
        }),
        http: createHttpAdapter([new URL(hookBase).host], { sleep: async () => {} }),
      },
    })
  })
  afterEach(() => t.close())

  it('publishing tells every owner in the app, by mail and by webhook, with the diff and the simulation counts', async () => {
    await t.as.admin.alerts.setSettings({
      settings: {
        owners: {
          'intake-check': {
            process: [{ user: 'analyst' }],
            integration: [{ email: 'integration@clinic.test' }, { webhook: `${hookBase}/carepath?token=s3cret` }],
            compliance: [{ user: 'auditor' }],
          },
        },
        // The flow names no support owner: the installation's goes in its place.
        defaultOwners: { support: [{ user: 'operator' }], process: [{ user: 'developer' }] },
      },
    })
    const first = await publishFlow(t, intakeFlow(), [intakeSuite])
    const [firstNotice] = await t.as.analyst.notices.mine()
    expect(firstNotice).toMatchObject({
      flowId: 'intake-check',
      kind: 'published',
      hash: first,
      previousHash: null,
      read: false,
      title: expect.stringMatching(/\(intake-check\) was published by reviewer\.$/),
      summary: ['This is the flow’s first published version.', expect.stringMatching(/^Simulation: \d+ cases? — /)],
    })
    // A second version: the notice says what changed.
    const { hash: second } = await t.as.analyst.flows.save({
      id: 'intake-check',
      document: intakeFlow({ min: 6 }),
      baseRevision: 1,
    })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: second, comment: 'ok' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: second })

    const [notice] = await t.as.analyst.notices.mine()
    expect(notice).toMatchObject({ kind: 'published', hash: second, previousHash: first })
    expect(notice!.summary.some((line) => /changed from 5 to 6/.test(line))).toBe(true)
    expect(notice!.summary.at(-1)).toMatch(/^Simulation: \d+ cases? — \d+ unchanged, \d+ changed, 0 failed/)
    expect((await t.as.auditor.notices.mine())[0]?.id).toBe(notice!.id)
    expect((await t.as.operator.notices.mine())[0]?.id).toBe(notice!.id)
    // A default owner only stands in for a kind the flow does not name: the flow names its process owner.
    expect(await t.as.developer.notices.mine()).toEqual([])
    expect(await t.as.reviewer.notices.mine()).toEqual([])

    // Mail and webhook got it (the webhook by host only in the records: its query holds a token).
    await waitUntil(() => mails.length === 2 && hooks.length === 2, 'both notices by mail and webhook')
    expect(mails[1]!.to).toEqual(['integration@clinic.test'])
    expect(mails[1]!.data).toMatch(/changed from 5 to 6/)
    expect(hooks[1]).toMatchObject({ notice: notice!.id, flow: 'intake-check', kind: 'published', hash: second })

    const { items } = await t.as.auditor.audit.list({ limit: 500 })
    const sent = items.map((i) => i.record).filter((r) => r.action === 'notice.send')
    expect(sent).toHaveLength(2)
    expect(sent[1]).toMatchObject({
      agent: { who: 'reviewer' },
      entity: { flow: 'intake-check', hash: second },
      why: {
        notice: notice!.id,
        kind: 'published',
        failed: [],
        recipients: expect.arrayContaining([
          'user:analyst',
          'user:auditor',
          'user:operator',
          'email:integration@clinic.test',
          `webhook:${new URL(hookBase).host}`,
        ]),
      },
    })
    expect(JSON.stringify(items)).not.toContain('s3cret')
  })

  it('keeps read and unread per person, and only the person’s own', async () => {
    await t.as.admin.alerts.setSettings({
      settings: { owners: { 'intake-check': { process: [{ user: 'analyst' }, { user: 'reviewer2' }] } } },
    })
    await publishFlow(t, intakeFlow(), [intakeSuite])
    const [notice] = await t.as.analyst.notices.mine()
    await t.as.analyst.notices.markRead({ id: notice!.id })
    expect((await t.as.analyst.notices.mine())[0]?.read).toBe(true)
    expect((await t.as.reviewer2.notices.mine())[0]?.read).toBe(false)
    await t.as.analyst.notices.markRead({ id: notice!.id, read: false })
    expect((await t.as.analyst.notices.mine())[0]?.read).toBe(false)
    await expect(t.as.developer.notices.markRead({ id: notice!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('subscribers are told of rollback and retirement; a failed delivery is recorded, not hidden', async () => {
    await t.as.admin.alerts.setSettings({
      settings: { owners: { 'intake-check': { support: [{ webhook: `${hookBase}/refuse` }] } } },
    })
    const first = await publishFlow(t, intakeFlow(), [intakeSuite])
    expect(await t.as.agent.notices.subscription({ flowId: 'intake-check' })).toEqual({
      flowId: 'intake-check',
      subscribed: false,
    })
    await t.as.agent.notices.subscribe({ flowId: 'intake-check', subscribed: true })
    await t.as.developer.notices.subscribe({ flowId: 'intake-check', subscribed: true })
    await t.as.developer.notices.subscribe({ flowId: 'intake-check', subscribed: false })
    expect((await t.as.agent.notices.subscription({ flowId: 'intake-check' })).subscribed).toBe(true)
    await expect(t.as.agent.notices.subscribe({ flowId: 'no-such-flow', subscribed: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })

    const { hash: second } = await t.as.analyst.flows.save({
      id: 'intake-check',
      document: intakeFlow({ min: 6 }),
      baseRevision: 1,
    })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: second, comment: 'ok' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: second })
    await t.as.reviewer.review.rollback({ id: 'intake-check', hash: first })
    await t.as.reviewer.flows.retire({ id: 'intake-check' })

    const inbox = await t.as.agent.notices.mine()
    expect(inbox.map((n) => n.kind)).toEqual(['retired', 'rolled-back', 'published'])
    expect(inbox[1]).toMatchObject({ hash: first, previousHash: second })
    expect(inbox[1]!.summary.some((line) => /changed from 6 to 5/.test(line))).toBe(true)
    expect(inbox[0]!.summary).toEqual([
      'No new runs of this flow start; runs already going finish on the version they started with.',
    ])
    expect(await t.as.developer.notices.mine()).toEqual([])

    const { items } = await t.as.auditor.audit.list({ limit: 500 })
    const records = items.map((i) => i.record)
    expect(records.filter((r) => r.action === 'flow.subscribe').map((r) => r.agent.who)).toEqual(['agent', 'developer'])
    expect(records.filter((r) => r.action === 'flow.unsubscribe').map((r) => r.agent.who)).toEqual(['developer'])
    const retired = records.find((r) => r.action === 'notice.send' && r.why.kind === 'retired')
    expect(retired).toMatchObject({
      why: {
        recipients: [`webhook:${new URL(hookBase).host}`, 'user:agent'],
        failed: [`webhook:${new URL(hookBase).host}`],
      },
    })
  })
})

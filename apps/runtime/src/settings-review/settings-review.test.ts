// Settings under review, through the API as people use it: a change is proposed by one person and
// applies only when another admin approves it; a rejected one changes nothing; a published
// version keeps the settings revision it was published with (its runs call connectors built from
// it) until an approved change is applied to running versions. The peer is a real HTTP server on
// loopback, reached by the built-in http.request node through the allow-list in the settings.
import { createServer, type Server } from 'node:http'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import type { FlowDocument } from '@carepath/dsl'
import { createTestRuntime, passwordOnly, sessionToken, TEST_PASSWORD, type TestRuntime } from '../testing/index.ts'

const CANARY = 'canary-credential-5d1e93b7a2'

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCError) return error.code
    throw error
  }
  return 'OK'
}

/** A second admin, so four eyes can be kept. */
async function secondAdmin(t: TestRuntime) {
  await t.runtime.auth.addUser(
    { username: 'admin2', password: TEST_PASSWORD, role: 'admin', flowRoles: [] },
    { who: 'test', role: 'system' },
  )
  await passwordOnly(t.runtime, ['admin2'])
  return t.caller(sessionToken(await t.runtime.auth.login('admin2', TEST_PASSWORD)))
}

/** A flow that GETs the peer: `reached` when the call went through, `refused` when it could not be made. */
function statusFlow(url: string, version = 1): FlowDocument {
  // Each version waits a little differently, so each has its own behaviour hash.
  return {
    dsl: 'carepath.flow/1',
    id: 'peer-status',
    version,
    title: 'Peer status',
    facts: {
      type: 'object',
      properties: {
        reason: { type: 'string', 'x-phi': 'none' },
        answer: { type: 'object', 'x-phi': 'none', properties: {} },
      },
    },
    roles: {},
    start: 'start',
    nodes: {
      start: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: [] }, next: { next: 'call' } },
      call: {
        type: 'http.request',
        typeVersion: 1,
        config: { method: 'GET', url, into: 'answer', retries: 0, timeoutMs: 60_000 - version },
        next: { ok: 'reached', failed: 'refused', error: 'refused' },
      },
      reached: { type: 'end', typeVersion: 1, config: { outcome: 'reached' }, next: {} },
      refused: { type: 'end', typeVersion: 1, config: { outcome: 'refused' }, next: {} },
    },
  }
}

describe('settings under review', () => {
  let peer: Server
  let host: string
  let t: TestRuntime
  let admin2: Awaited<ReturnType<typeof secondAdmin>>

  beforeAll(async () => {
    peer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end('{"status":"up"}')
    })
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve))
    const address = peer.address()
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(() => new Promise<void>((resolve) => peer.close(() => resolve())))

  beforeEach(async () => {
    // The built-in catalog and connectors built from the stored settings, as an installation runs.
    t = await createTestRuntime({ registry: undefined, connectors: undefined })
    admin2 = await secondAdmin(t)
    await t.as.developer.settings.setIntegrations({
      http: { allowHosts: [host] },
      notify: { sms: { url: 'https://sms.example/send', headers: { 'x-api-key': `${CANARY}-first` } } },
    })
  })
  afterEach(() => t.close())

  async function publish(document: FlowDocument): Promise<string> {
    const existing = await t.as.analyst.flows.list()
    const saved = existing.some((f) => f.id === document.id)
      ? await t.as.analyst.flows.save({
          id: document.id,
          document,
          baseRevision: (await t.as.analyst.flows.get({ id: document.id })).draft.revision,
        })
      : await t.as.analyst.flows.create({ document })
    await t.as.analyst.review.submit({ id: document.id })
    await t.as.reviewer.review.approve({ id: document.id, hash: saved.hash, comment: 'Calls the status peer' })
    await t.as.reviewer.review.publish({ id: document.id, hash: saved.hash })
    return saved.hash
  }

  let key = 0
  async function outcomeOfRun(flowId: string): Promise<string | null | undefined> {
    key += 1
    const run = await t.as.developer.runs.start({
      flowId,
      input: { reason: 'status check' },
      idempotencyKey: `run-${key}`,
    })
    return (await t.as.developer.runs.get({ id: run.id })).outcome
  }

  it('applies a change only when a second admin approves it; the proposer cannot approve their own', async () => {
    const before = await t.as.admin.settings.integrations()
    const proposal = await t.as.admin.settings.propose({
      settings: { ...before, http: { allowHosts: [host, 'api.example.org'] } },
      reason: 'The eligibility API moves to api.example.org',
    })
    expect(proposal).toMatchObject({ status: 'proposed', number: null, proposedBy: 'admin', baseNumber: 1 })
    expect(proposal.changes).toEqual([
      {
        path: 'http.allowHosts',
        change: 'changed',
        credential: false,
        before: [host],
        after: [host, 'api.example.org'],
      },
    ])
    // Proposed is not applied.
    expect(await t.as.developer.settings.integrations()).toEqual(before)
    expect((await t.as.admin.settings.review()).pending.map((p) => p.id)).toEqual([proposal.id])

    // Four eyes: the proposer may not decide; a developer may propose but not approve.
    expect(await codeOf(t.as.admin.settings.approve({ id: proposal.id }))).toBe('FORBIDDEN')
    expect(await codeOf(t.as.admin.settings.reject({ id: proposal.id }))).toBe('FORBIDDEN')
    expect(await codeOf(t.as.developer.settings.approve({ id: proposal.id }))).toBe('FORBIDDEN')
    expect(await t.as.developer.settings.integrations()).toEqual(before)

    const approved = await admin2.settings.approve({ id: proposal.id, note: 'Checked with the vendor' })
    expect(approved).toMatchObject({ status: 'applied', number: 2, decidedBy: 'admin2' })
    expect((await t.as.developer.settings.integrations())['http']).toEqual({ allowHosts: [host, 'api.example.org'] })
    const review = await t.as.admin.settings.review()
    expect(review.current).toBe(2)
    expect(review.pending).toEqual([])
    expect(await codeOf(admin2.settings.approve({ id: proposal.id }))).toBe('CONFLICT')

    const trail = await t.as.auditor.audit.list({ limit: 50 })
    const actions = trail.items.map((i) => i.record.action)
    expect(actions).toEqual(expect.arrayContaining(['settings.propose', 'settings.approve', 'settings.apply']))
    expect(trail.items.find((i) => i.record.action === 'settings.apply')?.record).toMatchObject({
      agent: { who: 'admin2', role: 'admin' },
      why: { proposal: proposal.id, revision: 2, pinsMoved: 0 },
    })
  })

  it('a rejected change changes nothing', async () => {
    const before = await t.as.developer.settings.integrations()
    const proposal = await t.as.developer.settings.propose({
      settings: { ...before, http: { allowHosts: [] } },
      reason: 'Close outbound HTTP',
    })
    const rejected = await t.as.admin.settings.reject({ id: proposal.id, note: 'Flows still call the peer' })
    expect(rejected).toMatchObject({ status: 'rejected', number: null, decisionNote: 'Flows still call the peer' })
    expect(await t.as.developer.settings.integrations()).toEqual(before)
    expect((await t.as.admin.settings.review()).current).toBe(1)
    expect(await codeOf(admin2.settings.approve({ id: proposal.id }))).toBe('CONFLICT')
    const actions = (await t.as.auditor.audit.list({ limit: 50 })).items.map((i) => i.record.action)
    expect(actions).toContain('settings.reject')
    expect(actions).not.toContain('settings.apply')
  })

  it('never shows a credential: not in a response, the diff, the audit trail or the database file', async () => {
    const responses: unknown[] = []
    const before = await t.as.developer.settings.integrations()
    responses.push(before)
    const proposal = await t.as.developer.settings.propose({
      settings: {
        ...before,
        notify: { sms: { url: 'https://sms.example/v2/send', headers: { 'x-api-key': `${CANARY}-rotated` } } },
      },
      reason: 'New SMS gateway key',
    })
    responses.push(proposal, await t.as.admin.settings.review())
    expect(proposal.changes).toEqual([
      { path: 'notify.sms.headers.x-api-key', change: 'changed', credential: true },
      {
        path: 'notify.sms.url',
        change: 'changed',
        credential: false,
        before: 'https://sms.example/send',
        after: 'https://sms.example/v2/send',
      },
    ])
    responses.push(await admin2.settings.approve({ id: proposal.id }))
    responses.push(await t.as.admin.settings.review(), await t.as.developer.settings.integrations())
    responses.push(await t.as.auditor.audit.list({ limit: 100 }))
    for (const response of responses) expect(JSON.stringify(response)).not.toContain(CANARY)
    // The connectors use the new key all the same.
    expect(JSON.stringify(t.runtime.integrations.get())).toContain(`${CANARY}-rotated`)
    const diffs = t.runtime.db.$client.prepare<[], { diff: string }>('SELECT diff FROM settings_revisions').all()
    for (const row of diffs) expect(row.diff).not.toContain(CANARY)
    for (const file of ['carepath.db', 'carepath.db-wal'].map((name) => join(t.dir, name)))
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(CANARY)), file).toBe(false)
  })

  it('a published version keeps the revision it was published with until a change is applied to running versions', async () => {
    const url = `http://${host}/status`
    await publish(statusFlow(url))
    expect(await outcomeOfRun('peer-status')).toBe('reached')

    // Revision 2 takes the peer off the allow-list; the published version keeps revision 1.
    const closing = await t.as.developer.settings.propose({
      settings: { ...(await t.as.developer.settings.integrations()), http: { allowHosts: ['api.example.org'] } },
      reason: 'The peer is retired for new versions',
    })
    await t.as.admin.settings.approve({ id: closing.id })
    expect(await outcomeOfRun('peer-status')).toBe('reached')

    // A version published now runs with revision 2: the peer is refused.
    await publish(statusFlow(url, 2))
    expect(await outcomeOfRun('peer-status')).toBe('refused')

    // Rolled back, version 1 still has revision 1.
    const history = await t.as.analyst.flows.history({ id: 'peer-status' })
    const first = history.find((v) => v.revision === 1)
    if (!first) throw new Error('version 1 missing from the history')
    await t.as.reviewer.review.rollback({ id: 'peer-status', hash: first.hash })
    expect(await outcomeOfRun('peer-status')).toBe('reached')

    // An approved change applied to running versions moves version 1 too.
    const everywhere = await t.as.developer.settings.propose({
      settings: {
        ...(await t.as.developer.settings.integrations()),
        http: { allowHosts: ['api.example.org', 'x.example'] },
      },
      reason: 'Retire the peer everywhere',
      applyToRunning: true,
    })
    const applied = await admin2.settings.approve({ id: everywhere.id })
    expect(applied).toMatchObject({ number: 3, applyToRunning: true })
    expect(await outcomeOfRun('peer-status')).toBe('refused')
  })

  it('moves one published version to the current settings through a reviewed re-pin', async () => {
    const hash = await publish(statusFlow(`http://${host}/status`))
    const closing = await t.as.developer.settings.propose({
      settings: { ...(await t.as.developer.settings.integrations()), http: { allowHosts: ['api.example.org'] } },
      reason: 'The peer is retired',
    })
    await t.as.admin.settings.approve({ id: closing.id })
    expect(await t.as.admin.settings.pins()).toEqual([{ flowId: 'peer-status', hash, revision: 1 }])
    expect(await outcomeOfRun('peer-status')).toBe('reached')

    const repin = await t.as.admin.settings.proposeRepin({ flowId: 'peer-status', hash, reason: 'Retire it here too' })
    expect(repin).toMatchObject({ kind: 'repin', status: 'proposed', pin: { flowId: 'peer-status', hash } })
    expect(repin.changes).toEqual([
      {
        path: `peer-status version ${hash.slice(0, 12)}: settings revision`,
        change: 'changed',
        credential: false,
        before: 1,
        after: 2,
      },
    ])
    // Proposed is not applied; the proposer cannot approve it.
    expect(await outcomeOfRun('peer-status')).toBe('reached')
    expect(await codeOf(t.as.admin.settings.approve({ id: repin.id }))).toBe('FORBIDDEN')
    const approved = await admin2.settings.approve({ id: repin.id })
    expect(approved).toMatchObject({ status: 'applied', number: null })
    expect(await outcomeOfRun('peer-status')).toBe('refused')
    expect(await t.as.admin.settings.pins()).toEqual([])
    // The settings themselves did not change.
    expect((await t.as.admin.settings.review()).current).toBe(2)
    const again = await t.as.admin.settings
      .proposeRepin({ flowId: 'peer-status', hash, reason: 'Again' })
      .catch((e: unknown) => e)
    expect(String(again)).toMatch(/already runs with the current settings \(revision 2\)/)
    const unknown = await t.as.admin.settings
      .proposeRepin({ flowId: 'peer-status', hash: 'f'.repeat(64), reason: 'Unknown' })
      .catch((e: unknown) => e)
    expect(unknown instanceof TRPCError && unknown.code).toBe('BAD_REQUEST')
  })

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = await t.as.developer.settings.integrations()
    const cases: [unknown, RegExp][] = [
      [{ settings: before, reason: '' }, /Say why the settings change/],
      [{ settings: before, reason: 'Nothing new' }, /same as the current ones/],
      [{ settings: { ...before, nope: { a: 1 } }, reason: 'Typo' }, /"nope" is not a setting of this installation/],
      [{ settings: { ...before, webhooks: { secrets: { lab: 'set' } } }, reason: 'Keep' }, /No secret is stored at/],
      [{ settings: { ...before, http: { allowHosts: 'everyone' } }, reason: 'Open' }, /http\.allowHosts: /],
      [{ settings: 'all of them', reason: 'Text' }, /settings/],
    ]
    for (const [input, message] of cases) {
      // @ts-expect-error deliberately malformed input, as an outside caller might send it
      const error = await t.as.developer.settings.propose(input).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TRPCError)
      expect(error instanceof TRPCError && error.code).toBe('BAD_REQUEST')
      expect(String(error)).toMatch(message)
    }
    expect(await codeOf(admin2.settings.approve({ id: 'no-such-proposal' }))).toBe('NOT_FOUND')
    expect(await t.as.developer.settings.integrations()).toEqual(before)
    expect((await t.as.admin.settings.review()).pending).toEqual([])
  })

  it('refuses to approve a proposal made against settings that changed since', async () => {
    const base = await t.as.developer.settings.integrations()
    const first = await t.as.developer.settings.propose({
      settings: { ...base, http: { allowHosts: [host, 'a.example'] } },
      reason: 'Add a',
    })
    const second = await t.as.developer.settings.propose({
      settings: { ...base, http: { allowHosts: [host, 'b.example'] } },
      reason: 'Add b',
    })
    await t.as.admin.settings.approve({ id: first.id })
    const stale = await admin2.settings.approve({ id: second.id }).catch((e: unknown) => e)
    expect(stale instanceof TRPCError && stale.code).toBe('CONFLICT')
    expect(String(stale)).toMatch(/changed after this was proposed/)
    expect((await t.as.developer.settings.integrations())['http']).toEqual({ allowHosts: [host, 'a.example'] })
  })
})

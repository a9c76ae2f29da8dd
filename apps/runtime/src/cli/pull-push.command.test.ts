// `carepath pull` / `carepath push` against a real server on loopback with a real API token: a
// flow and its test cases go from a checkout into review and come back as the same files; a
// token without flows:write, a bad file and an unreachable server each change nothing.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server.ts'
import { passwordOnly } from '../testing/test-runtime.ts'
import { CliError } from './cli-io.ts'
import { pull } from './pull.command.ts'
import { push } from './push.command.ts'
import type { ServerContext } from './server-client.ts'

const examples = new URL('../../../../examples/', import.meta.url)
const FLOW = 'referral-intake'
const system = { who: 'test', role: 'system' }

describe('carepath pull and push', () => {
  let server: RunningServer
  let dir: string
  let checkout: string
  let writeToken: string
  let readToken: string
  const printed: string[] = []
  const context = (token: string, server_ = server.url): ServerContext => ({
    env: { CAREPATH_SERVER: server_, CAREPATH_TOKEN: token },
    fetch: (input, init) => fetch(input, init),
    print: (line) => printed.push(line),
  })
  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => 'succeeded',
      (e: unknown) => (e instanceof CliError ? e.message : `THROWN ${String(e)}`),
    )
  const flowFile = () => join(checkout, `${FLOW}.flow.json`)

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-push-'))
    checkout = join(dir, 'checkout')
    mkdirSync(checkout)
    copyFileSync(new URL(`${FLOW}.flow.json`, examples), flowFile())
    copyFileSync(new URL(`${FLOW}.suite.json`, examples), join(checkout, `${FLOW}.suite.json`))
    server = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      connectors: {},
      timerIntervalMs: 0,
      alertIntervalMs: 0,
      designerDist: join(dir, 'no-designer'),
      log: () => undefined,
    })
    const password = 'a long enough test password'
    await server.runtime.auth.addUser({ username: 'ci-analyst', password, role: 'analyst' }, system)
    await passwordOnly(server.runtime, ['ci-analyst'])
    writeToken = (
      await server.runtime.auth.createApiToken(
        { username: 'ci-analyst', name: 'ci', scopes: ['flows:read', 'flows:write'] },
        system,
      )
    ).token
    readToken = (
      await server.runtime.auth.createApiToken(
        { username: 'ci-analyst', name: 'read-only', scopes: ['flows:read'] },
        system,
      )
    ).token
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates the flow with its test cases, then finds it up to date', async () => {
    expect(await push([flowFile()], context(writeToken))).toBe(0)
    expect(printed.at(-1)).toMatch(new RegExp(`^${FLOW}: created at revision 1 \\(hash [0-9a-f]{12}\\)$`))
    const stored = await server.runtime.flowService.suite(FLOW)
    const local = JSON.parse(readFileSync(join(checkout, `${FLOW}.suite.json`), 'utf8')) as { cases: unknown[] }
    expect(stored).toMatchObject({ flow: FLOW, cases: expect.arrayContaining([]) as unknown })
    expect((stored as { cases: unknown[] }).cases).toHaveLength(local.cases.length)

    expect(await push([flowFile()], context(writeToken))).toBe(0)
    expect(printed.at(-1)).toBe(`${FLOW}: up to date (draft revision 1, draft)`)
    expect((await server.runtime.flowService.get(FLOW)).draft.revision).toBe(1)
  })

  it('saves a changed title as a new revision and submits it for review with the simulation counts', async () => {
    const document = JSON.parse(readFileSync(flowFile(), 'utf8')) as { title: string }
    writeFileSync(flowFile(), JSON.stringify({ ...document, title: 'Referral intake (from git)' }, null, 2))
    expect(await push([flowFile(), '--submit'], context(writeToken))).toBe(0)
    expect(printed.at(-1)).toMatch(
      new RegExp(
        `^${FLOW}: saved as draft revision 2 \\(hash [0-9a-f]{12}\\); submitted for review \\(\\d+ cases, \\d+ changed, 0 failing their expectation, report [0-9a-f]{12}\\)$`,
      ),
    )
    const flow = await server.runtime.flowService.get(FLOW)
    expect(flow).toMatchObject({ status: 'in-review', title: 'Referral intake (from git)', draft: { revision: 2 } })
    const submitted = (await server.runtime.audit.list({ limit: 500 })).items.filter(
      (i) => i.record.action === 'review.submit',
    )
    expect(submitted.map((i) => i.record.agent.who)).toEqual(['ci-analyst'])
  })

  it('pulls the draft and its test cases back as files that push finds up to date', async () => {
    const out = join(dir, 'pulled')
    expect(await pull([FLOW, '--out', out], context(readToken))).toBe(0)
    expect(printed.at(-1)).toMatch(
      new RegExp(`^${FLOW}: draft revision 2 \\(in-review\\) → .*${FLOW}\\.flow\\.json; \\d+ test cases → `),
    )
    const pulled = JSON.parse(readFileSync(join(out, `${FLOW}.flow.json`), 'utf8')) as unknown
    expect(pulled).toEqual((await server.runtime.flowService.get(FLOW)).draft.document)
    expect(JSON.parse(readFileSync(join(out, `${FLOW}.suite.json`), 'utf8'))).toEqual(
      await server.runtime.flowService.suite(FLOW),
    )
    expect(await push([join(out, `${FLOW}.flow.json`)], context(writeToken))).toBe(0)
    expect(printed.at(-1)).toBe(`${FLOW}: up to date (draft revision 2, in-review)`)
  })

  it('refuses a token without flows:write, a flow the server would refuse and an unreachable server, changing nothing', async () => {
    const document = JSON.parse(readFileSync(flowFile(), 'utf8')) as Record<string, unknown>
    writeFileSync(flowFile(), JSON.stringify({ ...document, title: 'Another title' }, null, 2))
    expect(await failureOf(push([flowFile()], context(readToken)))).toMatch(
      /answered 403: This API token is not allowed to do that\.$/,
    )

    const broken = join(checkout, 'broken.flow.json')
    writeFileSync(broken, JSON.stringify({ ...document, id: 'broken', start: 'no-such-node' }))
    expect(await failureOf(push([flowFile(), broken], context(writeToken)))).toMatch(
      /^.*broken\.flow\.json: not a valid flow/,
    )

    expect(await failureOf(push([flowFile()], context(writeToken, 'http://127.0.0.1:9')))).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:9/,
    )
    expect(await failureOf(pull(['no-such-flow'], context(readToken)))).toMatch(
      /answered 404: No flow with id "no-such-flow"\./,
    )
    expect(await server.runtime.flowService.get(FLOW)).toMatchObject({
      title: 'Referral intake (from git)',
      draft: { revision: 2 },
    })
  })
})

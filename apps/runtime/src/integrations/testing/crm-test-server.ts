// A Salesforce-shaped CRM on 127.0.0.1 for tests, with state: an OAuth 2.0 client-credentials
// token endpoint (tokens can be revoked to act out an expiry mid-run), Contacts and Tasks read by
// the SOQL forms the crm adapter sends (string literals unescaped the way SOQL does), Cases
// upserted by an external id, and rate limiting on demand (429 + Retry-After). Test-only.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Row = Record<string, string | null>

export interface CrmTestServer {
  url: string
  tokenUrl: string
  clientId: string
  clientSecret: string
  contacts: Map<string, Row>
  tasks: Map<string, Row>
  cases: Map<string, Row>
  /** Requests seen, as `METHOD path` (query strings left out: they hold search values). */
  requests: string[]
  /** Tokens issued so far. */
  tokensIssued: number
  /** Every issued token stops working (as when a session expires mid-run). */
  revokeTokens(): void
  /** The next `count` API requests answer 429 with this Retry-After (seconds). */
  rateLimit(count: number, retryAfterSeconds: number): void
  close(): Promise<void>
}

const QUERY =
  /^SELECT ([\w, ]+) FROM (Contact|Task) WHERE (\w+) = '((?:[^'\\]|\\.)*)'(?: ORDER BY (\w+) DESC)? LIMIT (\d+)$/

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of req) parts.push(chunk as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

export async function startCrmTestServer(): Promise<CrmTestServer> {
  const tokens = new Set<string>()
  let limited = { count: 0, retryAfter: 0 }
  const state = {
    clientId: 'carepath-client',
    clientSecret: 'carepath-secret-0123456789',
    contacts: new Map<string, Row>(),
    tasks: new Map<string, Row>(),
    cases: new Map<string, Row>(),
    requests: [] as string[],
    tokensIssued: 0,
  }
  const send = (res: ServerResponse, status: number, value?: unknown, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(value === undefined ? '' : JSON.stringify(value))

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      state.requests.push(`${req.method} ${url.pathname}`)
      const text = await body(req)
      if (url.pathname === '/services/oauth2/token') {
        const form = new URLSearchParams(text)
        if (
          form.get('grant_type') !== 'client_credentials' ||
          form.get('client_id') !== state.clientId ||
          form.get('client_secret') !== state.clientSecret
        )
          return send(res, 400, { error: 'invalid_client' })
        const token = randomUUID()
        tokens.add(token)
        state.tokensIssued++
        return send(res, 200, { access_token: token, token_type: 'Bearer', instance_url: `http://${req.headers.host}` })
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      if (!bearer || !tokens.has(bearer))
        return send(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
      if (limited.count > 0) {
        limited.count--
        return send(res, 429, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }], { 'retry-after': String(limited.retryAfter) })
      }
      const path = url.pathname.replace(/^\/services\/data\/v\d+\.\d/, '')
      if (req.method === 'GET' && path === '/query') {
        const match = QUERY.exec(url.searchParams.get('q') ?? '')
        if (!match) return send(res, 400, [{ errorCode: 'MALFORMED_QUERY' }])
        const [, fields, object, where, literal, orderBy, limit] = match
        const value = literal!.replace(/\\(.)/g, '$1')
        const table = object === 'Contact' ? state.contacts : state.tasks
        let rows = [...table.values()].filter((row) => row[where!] === value)
        if (orderBy) rows = rows.sort((a, b) => String(b[orderBy] ?? '').localeCompare(String(a[orderBy] ?? '')))
        const names = fields!.split(',').map((f) => f.trim())
        const records = rows
          .slice(0, Number(limit))
          .map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])))
        return send(res, 200, { totalSize: records.length, done: true, records })
      }
      const upsert = /^\/sobjects\/Case\/(\w+__c)\/(.+)$/.exec(path)
      if (req.method === 'PATCH' && upsert) {
        const key = decodeURIComponent(upsert[2]!)
        const fields = JSON.parse(text) as Row
        if (typeof fields['Subject'] !== 'string')
          return send(res, 400, [{ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Subject'] }])
        const existing = state.cases.get(key)
        const id = existing?.['Id'] ?? `500${String(state.cases.size + 1).padStart(15, '0')}`
        state.cases.set(key, { ...existing, ...fields, Id: id, [upsert[1]!]: key })
        return send(res, existing ? 200 : 201, { id, success: true, errors: [], created: !existing })
      }
      return send(res, 404, [{ errorCode: 'NOT_FOUND' }])
    })().catch(() => send(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION' }]))
  })
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url,
    tokenUrl: `${url}/services/oauth2/token`,
    revokeTokens: () => tokens.clear(),
    rateLimit: (count: number, retryAfter: number) => {
      limited = { count, retryAfter }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  })
}

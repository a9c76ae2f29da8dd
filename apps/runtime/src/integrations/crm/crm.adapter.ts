// The "crm" connector against a Salesforce-shaped REST API: an OAuth 2.0 client-credentials token
// (fetched once, refreshed when it expires or the CRM answers 401), SOQL with escaped literals,
// cases upserted by an external-id key (idempotent), and 429 Retry-After waited out once.
import { z } from 'zod'
import { NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import type { CrmSettings } from '@carepath/nodes'
import { exchange, type Exchange, type FetchLike } from '../http/fetch-with-timeout.ts'

const requestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('findContact'),
    by: z.enum(['phone', 'email', 'externalId']),
    value: z.string().min(1).max(200),
  }),
  z.object({
    op: z.literal('history'),
    contactId: z.string().regex(/^[A-Za-z0-9]{1,40}$/),
    limit: z.number().int().min(1).max(50),
  }),
  z.object({
    op: z.literal('upsertCase'),
    key: z.string().min(1).max(200),
    fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.json()),
  }),
])

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().optional() })
const recordsSchema = z.object({ records: z.array(z.record(z.string(), z.unknown())) })
const upsertSchema = z.object({ id: z.string(), created: z.boolean() })

/** A SOQL string literal: backslash and quote escaped, so a value never ends the literal. */
export function soqlLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

const CONTACT_FIELDS = 'Id, FirstName, LastName, Phone, Email, Birthdate'
const LOOKUP_FIELD = { phone: 'Phone', email: 'Email', externalId: 'Carepath_External_Id__c' } as const
const text = (value: unknown) => (typeof value === 'string' ? value : null)

export interface CrmAdapterDeps {
  fetch: FetchLike
  now?: () => Date
  sleep?: (ms: number) => Promise<void>
}

export function createCrmAdapter(settings: CrmSettings | undefined, deps: CrmAdapterDeps): ConnectorAdapter {
  const now = deps.now ?? (() => new Date())
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  let token: { value: string; expiresAt: number } | undefined

  async function accessToken(s: CrmSettings): Promise<string> {
    if (token && token.expiresAt > now().getTime()) return token.value
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: s.clientId,
      client_secret: s.clientSecret,
    })
    const answer = await exchange(
      deps.fetch,
      s.tokenUrl,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      s.timeoutMs,
      'the CRM sign-in',
    )
    let parsed: z.ZodSafeParseResult<z.infer<typeof tokenSchema>> | undefined
    try {
      parsed = answer.status === 200 ? tokenSchema.safeParse(JSON.parse(answer.text)) : undefined
    } catch {
      parsed = undefined
    }
    if (!parsed?.success) {
      throw new NodeError(`The CRM refused Carepath's sign-in (${answer.status}); check the client id and secret.`, {
        code: 'crm-auth',
        retryable: answer.status >= 500,
      })
    }
    // Renew a little early so a token never expires between the check and the call.
    const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000
    token = { value: parsed.data.access_token, expiresAt: now().getTime() + Math.max(0, lifetimeMs - 30_000) }
    return token.value
  }

  async function api(s: CrmSettings, method: string, path: string, body?: JsonValue): Promise<Exchange> {
    const url = `${s.instanceUrl.replace(/\/+$/, '')}/services/data/${s.apiVersion}${path}`
    for (let attempt = 0; ; attempt++) {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${await accessToken(s)}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }
      const answer = await exchange(deps.fetch, url, init, s.timeoutMs, 'the CRM')
      if (answer.status === 401 && attempt === 0) {
        token = undefined // expired or revoked before its time: sign in again, once
        continue
      }
      if (answer.status === 429) {
        const waitMs = answer.retryAfterMs ?? Number.NaN
        if (attempt === 0 && Number.isFinite(waitMs) && waitMs <= s.maxRetryAfterMs) {
          await sleep(waitMs)
          continue
        }
        throw new NodeError('The CRM is limiting requests; try again later.', { code: 'crm-429', retryable: true })
      }
      if (answer.status === 401)
        throw new NodeError('The CRM refused Carepath’s token.', { code: 'crm-auth', retryable: false })
      if (answer.status >= 500)
        throw new NodeError(`The CRM answered ${answer.status}.`, { code: `crm-${answer.status}`, retryable: true })
      return answer
    }
  }

  const json = (answer: Exchange): unknown => {
    try {
      return answer.text ? JSON.parse(answer.text) : undefined
    } catch {
      throw new NodeError('The CRM answered with something that is not JSON.', {
        code: 'invalid-response',
        retryable: false,
      })
    }
  }
  const query = async (s: CrmSettings, soql: string) => {
    const answer = await api(s, 'GET', `/query?q=${encodeURIComponent(soql)}`)
    const parsed = recordsSchema.safeParse(answer.status === 200 ? json(answer) : undefined)
    if (!parsed.success)
      throw new NodeError(`The CRM did not answer the query (${answer.status}).`, {
        code: 'invalid-response',
        retryable: false,
      })
    return parsed.data.records
  }

  return async (raw): Promise<JsonValue> => {
    if (!settings)
      throw new NodeError('No CRM is configured for this environment.', { code: 'not-configured', retryable: false })
    const parsed = requestSchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The CRM request is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    if (request.op === 'findContact') {
      const records = await query(
        settings,
        `SELECT ${CONTACT_FIELDS} FROM Contact WHERE ${LOOKUP_FIELD[request.by]} = ${soqlLiteral(request.value)} LIMIT 1`,
      )
      const record = records[0]
      if (!record || typeof record['Id'] !== 'string') return { status: 'notFound' }
      return {
        status: 'found',
        contact: {
          id: record['Id'],
          firstName: text(record['FirstName']),
          lastName: text(record['LastName']),
          phone: text(record['Phone']),
          email: text(record['Email']),
          birthDate: text(record['Birthdate']),
        },
      }
    }
    if (request.op === 'history') {
      const records = await query(
        settings,
        `SELECT Id, Subject, Status, ActivityDate FROM Task WHERE WhoId = ${soqlLiteral(request.contactId)} ORDER BY ActivityDate DESC LIMIT ${request.limit}`,
      )
      return {
        status: 'ok',
        activities: records.map((r) => ({
          id: String(r['Id']),
          subject: text(r['Subject']),
          status: text(r['Status']),
          date: text(r['ActivityDate']),
        })),
      }
    }
    const path = `/sobjects/Case/${settings.caseKeyField}/${encodeURIComponent(request.key)}`
    const answer = await api(settings, 'PATCH', path, request.fields)
    if (answer.status === 400)
      throw new NodeError('The CRM refused the case as invalid.', { code: 'crm-invalid', retryable: false })
    const upserted = upsertSchema.safeParse(answer.status === 200 || answer.status === 201 ? json(answer) : undefined)
    if (!upserted.success)
      throw new NodeError(`The CRM did not confirm the case (${answer.status}).`, {
        code: 'invalid-response',
        retryable: false,
      })
    return { status: upserted.data.created ? 'created' : 'updated', id: upserted.data.id }
  }
}

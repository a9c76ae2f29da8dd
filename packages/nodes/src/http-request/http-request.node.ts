import { z } from 'zod'
import { defineNodeType, NodeError, PHI_CLASSES, type ConfigProblem, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { httpConnector } from './http-settings.schema.ts'

/** Header names that carry credentials: those belong in the environment settings, not in flows. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$/i

export const httpRequestConfigSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('HTTP method.'),
    url: z
      .url({ protocol: /^https?$/ })
      .describe('Absolute http(s) URL. Its host must be on the environment’s allow-list.'),
    query: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100).describe('Query parameter name.'),
            valueFrom: factPathSchema.describe('The fact whose value is sent.'),
          })
          .strict(),
      )
      .default([])
      .describe('Query parameters taken from facts (encoded, never spliced into the URL text).'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(500))
      .default({})
      .describe('Extra request headers (no credentials).'),
    bodyFrom: factPathSchema.optional().describe('The fact sent as the JSON body.'),
    // Declared, not guessed from the URL: the change footprint reads it as a patient-facing
    // channel, so adding such a call needs the patient-channel sign-off on top of the PHI ones.
    channel: z
      .enum(['sms', 'email'])
      .optional()
      .describe('Set when this call hands a message to patients through a vendor gateway (SMS or e-mail).'),
    into: factPathSchema.optional().describe('Where the response (status and body) goes.'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(10_000)
      .describe('Give up on one attempt after this long.'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(2)
      .describe('Further attempts after a timeout, a network failure or a retryable status.'),
    backoffMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(500)
      .describe('Wait before the first retry; doubled for each further one.'),
    retryOn: z
      .array(z.number().int().min(400).max(599))
      .default([429, 502, 503, 504])
      .describe('Statuses that are retried.'),
  })
  .strict()
export type HttpRequestConfig = z.infer<typeof httpRequestConfigSchema>

const responseSchema = z.object({ status: z.number().int().min(100).max(599), body: z.unknown() })

/** Calls an outside HTTP API through the environment's allow-listed http connector. */
export const httpRequest = defineNodeType({
  type: 'http.request',
  typeVersion: 1,
  title: 'HTTP request',
  description: 'Calls an outside HTTP API with a timeout, retries with backoff, and only hosts the environment allows.',
  category: 'Integration',
  icon: '⇄',
  keywords: ['http', 'rest', 'api', 'call', 'request', 'json'],
  config: httpRequestConfigSchema,
  defaults: {
    method: 'GET',
    url: 'https://api.example.org/status',
    query: [],
    headers: {},
    timeoutMs: 10_000,
    retries: 2,
    backoffMs: 500,
    retryOn: [429, 502, 503, 504],
  },
  ports: () => [
    { name: 'ok', required: true, title: '2xx' },
    { name: 'failed', required: true, title: 'Other status' },
    { name: 'error', required: false, title: 'Unreachable' },
  ],
  reads: (config) => [...config.query.map((q) => q.valueFrom), ...(config.bodyFrom ? [config.bodyFrom] : [])],
  writes: (config) => (config.into ? [config.into] : []),
  phi: PHI_CLASSES.filter((phi) => phi !== 'none'), // the body may carry any fact the flow sends
  connectors: [httpConnector], // its settings are stored per environment, never in the flow
  check(config) {
    const problems: ConfigProblem[] = []
    for (const name of Object.keys(config.headers)) {
      if (CREDENTIAL_HEADERS.test(name)) {
        problems.push({
          code: 'invalid-config',
          path: `headers.${name}`,
          message: 'Credentials belong in the environment settings, not in the flow.',
        })
      }
    }
    if (config.bodyFrom && (config.method === 'GET' || config.method === 'DELETE')) {
      problems.push({
        code: 'invalid-config',
        path: 'bodyFrom',
        message: `A ${config.method} request carries no body.`,
      })
    }
    return problems
  },
  async execute(ctx, config) {
    const query: [string, string][] = config.query.map((q) => {
      const value = ctx.get(q.valueFrom)
      if (value === undefined || value === null || typeof value === 'object') {
        throw new NodeError(`The fact ${q.valueFrom} holds no value for the query parameter ${q.name}.`, {
          code: 'missing-input',
        })
      }
      return [q.name, String(value)]
    })
    const body = config.bodyFrom ? (ctx.get(config.bodyFrom) ?? null) : undefined
    const request: { [key: string]: JsonValue } = {
      method: config.method,
      url: config.url,
      query,
      headers: config.headers,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      backoffMs: config.backoffMs,
      retryOn: config.retryOn,
    }
    if (body !== undefined) request['body'] = body
    const parsed = responseSchema.safeParse(await ctx.call('http', request))
    if (!parsed.success)
      throw new NodeError('The http connector gave an answer without a status.', { code: 'invalid-response' })
    const { status } = parsed.data
    const set = config.into ? { [config.into]: { status, body: (parsed.data.body ?? null) as JsonValue } } : undefined
    return { kind: 'next', port: status >= 200 && status < 300 ? 'ok' : 'failed', ...(set ? { set } : {}) }
  },
})

// The `crm` connector: a healthcare CRM (Salesforce-shaped REST) reached with OAuth 2.0 client
// credentials. Nodes describe what they want; the runtime's adapter owns the URL, the token and
// the query language, and answers in these shapes.
import { z } from 'zod'
import { defineConnector, NodeError, type ExecuteContext, type JsonValue } from '@carepath/dsl'
import { connectorTimeoutMsSchema } from '../connector-settings.schema.ts'

/** The CRM of this environment. */
export const crmSettingsSchema = z
  .object({
    /** The instance URL, e.g. https://acme.my.salesforce.com. */
    instanceUrl: z.url({ protocol: /^https?$/ }),
    /** The OAuth 2.0 token endpoint (client credentials grant). */
    tokenUrl: z.url({ protocol: /^https?$/ }),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    apiVersion: z
      .string()
      .regex(/^v\d+\.\d$/)
      .default('v59.0'),
    /** The external-id field cases are upserted by, so a resumed run never makes a second case. */
    caseKeyField: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*__c$/)
      .default('Carepath_Key__c'),
    /** A 429 whose Retry-After is at most this long is waited out once; a longer one fails (retryable). */
    maxRetryAfterMs: z.number().int().min(0).max(60_000).default(5_000),
    timeoutMs: connectorTimeoutMsSchema,
  })
  .strict()
/** Settings of the `crm` connector. */
export type CrmSettings = z.infer<typeof crmSettingsSchema>

export const crmConnector = defineConnector({
  name: 'crm',
  description: 'The healthcare CRM (Salesforce-shaped REST API, OAuth 2.0 client credentials).',
  settingsSchema: crmSettingsSchema.optional(),
})

/** A contact as nodes see it, whatever the CRM calls the fields. */
export const crmContactSchema = z.object({
  id: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  birthDate: z.string().nullable(),
})
/** One past interaction (call, task, email) with the contact. */
export const crmActivitySchema = z.object({
  id: z.string(),
  subject: z.string().nullable(),
  status: z.string().nullable(),
  date: z.string().nullable(),
})

/** What the crm adapter is asked. */
export type CrmRequest =
  | { op: 'findContact'; by: 'phone' | 'email' | 'externalId'; value: string }
  | { op: 'history'; contactId: string; limit: number }
  | { op: 'upsertCase'; key: string; fields: { [key: string]: JsonValue } }

/** The adapter's answers, by request. */
export const crmFoundSchema = z.union([
  z.object({ status: z.literal('found'), contact: crmContactSchema }),
  z.object({ status: z.literal('notFound') }),
])
export const crmHistorySchema = z.object({ status: z.literal('ok'), activities: z.array(crmActivitySchema) })
export const crmUpsertedSchema = z.object({ status: z.enum(['created', 'updated']), id: z.string() })

/** Call the crm connector and check the answer's shape (a plain error otherwise, no content). */
export async function callCrm<S extends z.ZodType>(
  ctx: ExecuteContext,
  request: CrmRequest,
  answer: S,
): Promise<z.output<S>> {
  let raw: JsonValue
  try {
    raw = await ctx.call('crm', request)
  } catch (error) {
    if (error instanceof NodeError) throw error
    throw new NodeError('The CRM could not be reached.', { code: 'connector-failed', retryable: true })
  }
  const parsed = answer.safeParse(raw)
  if (!parsed.success) throw new NodeError('The CRM sent an answer of the wrong shape.', { code: 'invalid-response' })
  return parsed.data
}

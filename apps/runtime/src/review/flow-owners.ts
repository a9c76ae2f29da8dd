// A flow's owners by kind, read from where Operations → Owners stores them (one source of truth,
// the same settings the alerts route by). People are named by username; e-mail addresses and
// webhooks that also receive alerts are counted, not shown, outside the operations screen.
import { eq } from 'drizzle-orm'
import { settings } from '../db/schema.ts'
import { OWNER_KINDS, operationsSettingsSchema, type OwnerKind } from '../operations/alert-rules.schema.ts'
import { OPERATIONS_SETTINGS_KEY } from '../operations/alerts.service.ts'
import type { Store } from '../store/store.ts'

/** The owners of one kind: the people named, how many other addresses, and whether they are the installation's defaults. */
export interface FlowOwner {
  kind: OwnerKind
  users: string[]
  otherRecipients: number
  fallback: boolean
}

/** Each owner kind of `flowId`, falling back per kind to the installation's default owners. */
export async function flowOwners(store: Store, flowId: string): Promise<FlowOwner[]> {
  const row = await store.db.select().from(settings).where(eq(settings.key, OPERATIONS_SETTINGS_KEY)).get()
  const parsed = operationsSettingsSchema.safeParse(row?.value ?? {})
  const config = parsed.success ? parsed.data : operationsSettingsSchema.parse({})
  return OWNER_KINDS.map((kind) => {
    const own = config.owners[flowId]?.[kind] ?? []
    const recipients = own.length > 0 ? own : (config.defaultOwners[kind] ?? [])
    const users = recipients.flatMap((r) => ('user' in r ? [r.user] : []))
    return { kind, users, otherRecipients: recipients.length - users.length, fallback: own.length === 0 }
  })
}

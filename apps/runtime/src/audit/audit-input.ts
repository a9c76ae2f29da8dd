// What every entry builder returns: an audited action with its typed `why`, who did it and what it
// concerned. It sits apart from the builders so each kind of entry can name it without the others.
import type { AuditRecord } from './audit-record.ts'
import type { AuditEntry } from './audit-why.ts'

/** Who did it, as the record names them. */
export interface AuditActor {
  who: string
  role: string
}

/** What `AuditService.append` takes: an action with its typed `why`, who did it and to what. */
export type AuditInput = AuditEntry &
  AuditActor & {
    outcome?: 'success' | 'failure'
    entity?: AuditRecord['entity']
  }

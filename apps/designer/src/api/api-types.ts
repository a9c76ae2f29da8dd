// Response shapes of the runtime's tRPC API as the designer reads them (see the runtime's
// routers). Kept local so the designer builds without the server's sources; fields the
// designer does not read are left out on purpose.
import type { FlowDocument, JsonValue, DecisionExplanation, TaskRequest, Problem } from '@carepath/dsl'

export type Role = 'analyst' | 'developer' | 'reviewer' | 'agent' | 'auditor' | 'admin'

export interface SessionUser {
  id: string
  username: string
  role: Role | string
}

export interface FlowSummary {
  id: string
  title: string
  status: string
  draftRevision?: number | null
  publishedHash?: string | null
  updatedAt?: string | null
  updatedBy?: string | null
}

export interface FlowDetail {
  id: string
  title: string
  status: string
  draft: { document: FlowDocument; revision: number; hash: string; author?: string | null } | null
  published: { document: FlowDocument; hash: string } | null
  reviews?: unknown
}

export interface VersionEntry {
  hash: string
  revision?: number | null
  status?: string | null
  author?: string | null
  at?: string | null
}

/** One case of a simulation report: what changed between the base and the candidate. */
export interface SimulationCaseResult {
  id?: string
  name?: string
  caseId?: string
  changed?: boolean
  pathChanged?: boolean
  outcomeChanged?: boolean
  base?: CaseRun | null
  candidate?: CaseRun | null
  expected?: string | null
  passed?: boolean | null
  differences?: { nodeId?: string; kind?: string; message?: string }[]
  [key: string]: unknown
}
export interface CaseRun {
  path?: string[]
  outcome?: string | null
  status?: string
  decisions?:
    | Record<string, DecisionExplanation>
    | { nodeId: string; explanation?: DecisionExplanation; decision?: DecisionExplanation }[]
  error?: string | null
}
export interface SimulationReport {
  cases: SimulationCaseResult[]
  summary?: Record<string, JsonValue>
  [key: string]: unknown
}

export interface ReviewState {
  status: string
  hash?: string | null
  report?: SimulationReport | null
  approvals?: { by?: string; reviewer?: string; comment?: string; at?: string }[]
  comments?: { by?: string; author?: string; kind?: string; comment?: string; text?: string; at?: string }[]
  publishBlockers?: string[]
  author?: string | null
  reviewStatus?: string | null
  submittedBy?: string | null
}

export interface RunEvent {
  type?: string
  kind?: string
  nodeId?: string
  at?: string
  [key: string]: unknown
}

export interface RunSummary {
  id: string
  flowId: string
  hash?: string
  status: string
  outcome?: string | null
  startedAt?: string | null
  updatedAt?: string | null
  createdAt?: string | null
}

export interface RunDetail extends RunSummary {
  path: string[]
  events: RunEvent[]
  openTask?: OpenTask | null
  facts?: Record<string, JsonValue>
}

export interface OpenTask {
  id: string
  runId: string
  flowId?: string
  nodeId?: string
  status?: string
  role?: string
  title?: string
  prompt?: string
  request?: TaskRequest
  task?: TaskRequest
  fields?: TaskRequest['fields']
  options?: TaskRequest['options']
  /** The facts this step may show, already redacted by the server. */
  shows?: string[] | Record<string, JsonValue> | { path: string; value: JsonValue; label?: string }[]
  view?: Record<string, JsonValue>
  claimedBy?: string | null
  createdAt?: string
}

/** One audit record as audit.list returns it (FHIR AuditEvent-shaped; `why` is already redacted). */
export interface AuditItem {
  seq: number
  hash: string
  record: {
    recorded: string
    action: string
    outcome: 'success' | 'failure' | string
    agent: { who: string; role: string }
    entity: { flow?: string; hash?: string; run?: string; task?: string; user?: string }
    why?: unknown
  }
}
export interface AuditPage {
  items: AuditItem[]
  /** Pass back as `cursor` for the next (newer) page; absent on the last page. */
  nextCursor?: number | null
}
export interface AuditVerifyResult {
  ok: boolean
  checked: number
  firstBroken?: { seq: number; reason: string }
}

export type { Problem }

// Typed wrappers over the runtime's procedures, one line each, named after the routers.
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { mutate, query } from './trpc-client.ts'
import type {
  AuditPage,
  AuditVerifyResult,
  FlowDetail,
  FlowSummary,
  OpenTask,
  ReviewState,
  RunDetail,
  RunSummary,
  SessionUser,
  SimulationReport,
  VersionEntry,
} from './api-types.ts'

export const api = {
  login: (username: string, password: string) =>
    mutate<{ token: string; user: SessionUser }>('auth.login', { username, password }),
  logout: () => mutate<unknown>('auth.logout'),
  me: () => query<SessionUser>('auth.me'),

  listFlows: (search?: string) => query<FlowSummary[]>('flows.list', search ? { search } : {}),
  getFlow: (id: string) => query<FlowDetail>('flows.get', { id }),
  createFlow: (document: FlowDocument) => mutate<unknown>('flows.create', { document }),
  saveFlow: (id: string, document: FlowDocument, baseRevision: number) =>
    mutate<{ revision: number; hash: string }>('flows.save', { id, document, baseRevision }),
  history: (id: string) => query<VersionEntry[] | { versions: VersionEntry[] }>('flows.history', { id }),
  version: (id: string, hash: string) =>
    query<FlowDocument | { document: FlowDocument }>('flows.version', { id, hash }),
  duplicateFlow: (id: string, newId: string) => mutate<unknown>('flows.duplicate', { id, newId }),
  retireFlow: (id: string) => mutate<unknown>('flows.retire', { id }),

  simulate: (flowId: string, options: { document?: FlowDocument; suite?: unknown; generate?: boolean }) =>
    mutate<SimulationReport>('simulate.run', { flowId, ...options }),

  submitReview: (id: string) => mutate<unknown>('review.submit', { id }),
  getReview: (id: string) => query<ReviewState | null>('review.get', { id }),
  approve: (id: string, hash: string, comment: string) => mutate<unknown>('review.approve', { id, hash, comment }),
  reject: (id: string, hash: string, comment: string) => mutate<unknown>('review.reject', { id, hash, comment }),
  publish: (id: string, hash: string) => mutate<unknown>('review.publish', { id, hash }),

  startRun: (flowId: string, input: Record<string, JsonValue>, idempotencyKey: string) =>
    mutate<RunDetail>('runs.start', { flowId, input, idempotencyKey }),
  listRuns: (flowId?: string) => query<RunSummary[] | { runs: RunSummary[] }>('runs.list', flowId ? { flowId } : {}),
  getRun: (id: string) => query<RunDetail>('runs.get', { id }),

  inbox: () => query<OpenTask[] | { tasks: OpenTask[] }>('tasks.inbox'),
  claimTask: (id: string) => mutate<unknown>('tasks.claim', { id }),
  answerTask: (id: string, answer: JsonValue) => mutate<unknown>('tasks.answer', { id, answer }),

  auditPage: (limit: number, cursor?: number) =>
    query<AuditPage>('audit.list', cursor === undefined ? { limit } : { limit, cursor }),
  verifyAudit: () => query<AuditVerifyResult>('audit.verify'),
}

/** Lists come back either bare or wrapped; the designer accepts both. */
export function listOf<T>(value: T[] | Record<string, T[]> | null | undefined): T[] {
  if (!value) return []
  if (Array.isArray(value)) return value
  const first = Object.values(value).find(Array.isArray)
  return first ?? []
}

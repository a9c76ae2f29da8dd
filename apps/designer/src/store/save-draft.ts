// Saving the draft: first save creates the flow, later saves send the revision the editor
// started from. A conflict or an invalid document changes nothing on the server and nothing in
// the editor; the editor's document is also kept in localStorage until a save succeeds.
import { z } from 'zod'
import { PROBLEM_CODES, type FlowDocument, type Problem, type ProblemCode } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { ApiError } from '../api/trpc-client.ts'
import { pendingFlows } from '../screens/pending-flows.ts'
import { useEditor } from './editor.store.ts'
import { useSuiteStore } from '../suites/suite.store.ts'

export type SaveResult =
  | { ok: true; revision: number; hash: string }
  | { ok: false; kind: 'conflict'; message: string }
  | { ok: false; kind: 'invalid'; message: string; problems: Problem[] }
  | { ok: false; kind: 'error'; message: string }

// The problems an invalid-document refusal carries, as validation reports them.
const problemsSchema: z.ZodType<Problem[]> = z.array(
  z.object({
    code: z.custom<ProblemCode>((code) => typeof code === 'string' && Object.hasOwn(PROBLEM_CODES, code)),
    severity: z.enum(['error', 'warning']),
    nodeId: z.string().optional(),
    path: z.string(),
    message: z.string(),
  }),
)

const backupKey = (flowId: string) => `carepath.unsaved.${flowId}`

/** Keep the unsaved document locally so a reload or a conflict cannot lose it. */
export function backupLocally(document: FlowDocument, baseRevision: number): void {
  try {
    localStorage.setItem(backupKey(document.id), JSON.stringify({ baseRevision, document }))
  } catch {
    // storage full or disabled: the in-memory editor still holds the work
  }
}

export function readBackup(flowId: string): { baseRevision: number; document: FlowDocument } | null {
  try {
    const text = localStorage.getItem(backupKey(flowId))
    return text ? (JSON.parse(text) as { baseRevision: number; document: FlowDocument }) : null
  } catch {
    return null
  }
}

export function dropBackup(flowId: string): void {
  localStorage.removeItem(backupKey(flowId))
}

export async function saveDraft(options: { overwriteRevision?: number } = {}): Promise<SaveResult> {
  const state = useEditor.getState()
  const document = state.document()
  const flowId = state.flowId ?? document.id
  backupLocally(document, state.revision)
  // The test cases are saved with the draft (they travel with it into review).
  const suites = useSuiteStore.getState()
  const suite = suites.flowId === flowId ? { ...suites.suite(), flow: flowId } : undefined
  try {
    let saved: { revision: number; hash: string }
    if (pendingFlows.has(flowId) && state.revision === 0) {
      const created = await api.createFlow(document, suite)
      pendingFlows.delete(flowId)
      saved = { revision: created.revision, hash: created.hash }
    } else {
      saved = await api.saveFlow(flowId, document, options.overwriteRevision ?? state.revision, suite)
    }
    useEditor.getState().markSaved(saved.revision, saved.hash)
    if (suite) useSuiteStore.getState().markSaved()
    dropBackup(flowId)
    return { ok: true, ...saved }
  } catch (error) {
    if (!(error instanceof ApiError)) return { ok: false, kind: 'error', message: 'The draft could not be saved.' }
    if (error.code === 'CONFLICT') return { ok: false, kind: 'conflict', message: error.message }
    const problems = problemsSchema.safeParse(error.data?.problems).data
    if (error.code === 'BAD_REQUEST' && problems)
      return { ok: false, kind: 'invalid', message: error.message, problems }
    return { ok: false, kind: 'error', message: error.message }
  }
}

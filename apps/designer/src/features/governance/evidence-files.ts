// Evidence files over the runtime's /api/attachments route (raw bytes up, a download back), with
// the session token; tRPC carries only the list. Errors arrive as the runtime's plain sentences.
import { getSessionToken } from '../../api/trpc-client.ts'
import { call, trpc, type RouterInputs, type RouterOutputs } from '../../api/trpc-client.ts'

/** What evidence is attached to: a review (a flow version's hash) or a task (its id). */
export type EvidenceTarget = RouterInputs['attachments']['list']
/** One attachment as listed: name, type, size, sha256, who and when. */
export type Attachment = RouterOutputs['attachments']['list'][number]

export const listEvidence = (target: EvidenceTarget) => call(trpc.attachments.list.query(target))

/** The allowed files, for the file picker (the server decides from the bytes). */
export const EVIDENCE_ACCEPT = '.pdf,.png,.jpg,.jpeg,.csv,.xlsx,.docx,.txt'

async function failure(response: Response): Promise<Error> {
  const body: unknown = await response.json().catch(() => null)
  const message =
    body !== null &&
    typeof body === 'object' &&
    'error' in body &&
    body.error !== null &&
    typeof body.error === 'object'
      ? 'message' in body.error && typeof body.error.message === 'string'
        ? body.error.message
        : null
      : null
  return new Error(message ?? `The file could not be sent (HTTP ${response.status}).`)
}

const authHeader = (): Record<string, string> => {
  const token = getSessionToken()
  return token ? { Authorization: `Bearer ${token}` } : {}
}

/** Send one file; answers the stored attachment (its sha256 computed by the server). */
export async function uploadEvidence(target: EvidenceTarget, file: File): Promise<Attachment> {
  const query = new URLSearchParams({
    kind: target.kind,
    flow: target.flowId,
    subject: target.subject,
    name: file.name,
  })
  const response = await fetch(`/api/attachments?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...authHeader() },
    body: file,
  })
  if (!response.ok) throw await failure(response)
  const listed = await listEvidence(target)
  const stored = listed.at(-1)
  if (!stored) throw new Error('The file was sent but is not listed; reload the page.')
  return stored
}

/** Download one file (audited by the server) and hand it to the browser as a saved file. */
export async function downloadEvidence(attachment: Attachment): Promise<void> {
  const response = await fetch(`/api/attachments/${encodeURIComponent(attachment.id)}`, { headers: authHeader() })
  if (!response.ok) throw await failure(response)
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = attachment.name
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** A size as a person reads it. */
export function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
}

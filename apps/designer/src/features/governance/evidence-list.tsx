// Evidence on a review or a task: the files attached (name, size, who, when, the first characters
// of their sha256), a download button each, and a file picker to attach another. Works from the
// keyboard: the picker is a labelled native file input, the downloads are buttons.
import { useId, useState } from 'react'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from '../../screens/state-views.tsx'
import {
  downloadEvidence,
  EVIDENCE_ACCEPT,
  listEvidence,
  sizeInWords,
  uploadEvidence,
  type Attachment,
  type EvidenceTarget,
} from './evidence-files.ts'

export function EvidenceList({
  target,
  canAttach,
  title = 'Evidence',
  onAttached,
}: {
  target: EvidenceTarget
  canAttach: boolean
  title?: string
  /** Told of each file attached (a task form stores its reference in the answer). */
  onAttached?: (attachment: Attachment) => void
}) {
  const files = useLoader(() => listEvidence(target), [target.kind, target.flowId, target.subject])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const inputId = useId()

  const attach = async (file: File | undefined) => {
    if (!file) return
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const stored = await uploadEvidence(target, file)
      setDone(`Attached “${stored.name}”.`)
      onAttached?.(stored)
      files.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The file could not be attached.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="cp-card inline" data-testid={`evidence-${target.kind}`} aria-label={title}>
      <h4>{title}</h4>
      {files.loading && !files.data ? (
        <Loading what="the attached files" />
      ) : files.error ? (
        <ErrorState message={files.error} retry={files.reload} />
      ) : !files.data?.length ? (
        <Empty>No files attached yet.</Empty>
      ) : (
        <ul className="cp-list" data-testid="evidence-files">
          {files.data.map((a) => (
            <li key={a.id} data-testid={`evidence-file-${a.name}`}>
              <button
                type="button"
                className="cp-btn small"
                onClick={() =>
                  void downloadEvidence(a).catch((e: unknown) =>
                    setError(e instanceof Error ? e.message : 'The download failed.'),
                  )
                }
                aria-label={`Download ${a.name}`}
              >
                Download
              </button>{' '}
              {a.name} · {sizeInWords(a.size)} · by {a.uploadedBy}, {when(a.uploadedAt)} ·{' '}
              <span title={`sha256 ${a.sha256}`}>sha256 {a.sha256.slice(0, 12)}…</span>
            </li>
          ))}
        </ul>
      )}
      {canAttach && (
        <label className="cp-field" htmlFor={inputId}>
          <span className="cp-field-label">Attach a file (PDF, PNG, JPEG, CSV, Excel, Word or text)</span>
          <input
            id={inputId}
            className="cp-input"
            type="file"
            accept={EVIDENCE_ACCEPT}
            disabled={busy}
            onChange={(e) => {
              void attach(e.target.files?.[0])
              e.target.value = ''
            }}
            data-testid={`evidence-input-${target.kind}`}
          />
        </label>
      )}
      {busy && <p className="cp-hint">Sending the file…</p>}
      {done && (
        <p className="cp-ok-text" role="status">
          {done}
        </p>
      )}
      {error && <ErrorState message={error} />}
    </section>
  )
}

// The three states every list and panel has besides "here is the data".
export function Loading({ what }: { what: string }) {
  return (
    <div className="cp-state" data-testid="loading">
      <span className="cp-spinner" /> Loading {what}…
    </div>
  )
}

export function ErrorState({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div className="cp-state error" role="alert" data-testid="error">
      {message}
      {retry && (
        <button type="button" className="cp-btn small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  )
}

export function Empty({ children }: { children: React.ReactNode }) {
  return (
    <div className="cp-state empty" data-testid="empty">
      {children}
    </div>
  )
}

/** "3 min ago" for recent times, the date for older ones. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return iso
  const minutes = Math.round((Date.now() - t.getTime()) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  if (minutes < 24 * 60) return `${Math.round(minutes / 60)} h ago`
  return t.toLocaleDateString()
}

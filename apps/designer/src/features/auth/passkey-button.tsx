// "Use a passkey": one button that runs a passkey ceremony (the browser asks the authenticator:
// a security key, the device's own, or a phone), with its own busy state and a plain error.
import { useState } from 'react'

export function PasskeyButton(props: { label: string; testId: string; run: () => Promise<void> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <>
      <button
        type="button"
        className="cp-btn"
        disabled={busy}
        data-testid={props.testId}
        onClick={() => {
          setBusy(true)
          setError(null)
          props
            .run()
            .catch((e: unknown) =>
              setError(
                e instanceof Error && e.name === 'NotAllowedError'
                  ? 'The passkey request was cancelled or timed out.'
                  : e instanceof Error
                    ? e.message
                    : 'The passkey could not be used.',
              ),
            )
            .finally(() => setBusy(false))
        }}
      >
        {busy ? 'Waiting for the passkey…' : props.label}
      </button>
      {error && (
        <p className="cp-error-text" role="alert" data-testid={`${props.testId}-error`}>
          {error}
        </p>
      )}
    </>
  )
}

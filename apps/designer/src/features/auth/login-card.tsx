// What every log-in step shares: the card, a submit handler that shows the server's sentence on failure.
import { useState, type FormEvent, type ReactNode } from 'react'

/** The card every step sits in, with the product's name on top. */
export function LoginCard(props: {
  onSubmit(event: FormEvent): void
  testId: string
  title?: string
  children: ReactNode
}) {
  return (
    <main className="cp-login">
      <form className="cp-card" onSubmit={props.onSubmit} data-testid={props.testId}>
        <h1>◆ Carepath</h1>
        {props.title ? <h2 className="cp-login-step">{props.title}</h2> : null}
        {props.children}
      </form>
    </main>
  )
}

/** A step's submit handler: busy while it runs, the server's sentence shown when it fails. */
export function useStep(run: () => Promise<void>) {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await run()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Log-in failed.')
    } finally {
      setBusy(false)
    }
  }
  return { error, busy, submit }
}

export function StepError({ error }: { error: string | null }) {
  if (!error) return null
  return (
    <p className="cp-error-text" role="alert" data-testid="login-error">
      {error}
    </p>
  )
}

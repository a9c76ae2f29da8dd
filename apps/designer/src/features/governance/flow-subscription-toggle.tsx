// "Send me this flow's change notices": a checkbox on the flow's owners strip, so anyone who may
// read the flow can follow its publishing, rollback and retirement without asking an admin. The
// state is also said in words beside it; a refused change says why and leaves the box as it was.
import { useState } from 'react'
import { call, trpc } from '../../api/trpc-client.ts'
import { useLoader } from '../../api/use-loader.ts'
import { subscriptionWords } from './flow-subscription.ts'

export function FlowSubscriptionToggle({ flowId }: { flowId: string }) {
  const loaded = useLoader(() => call(trpc.notices.subscription.query({ flowId })), [flowId])
  const [saving, setSaving] = useState<boolean | null>(null)
  // What the server answered to this screen's last change (the loaded state until then).
  const [answered, setAnswered] = useState<boolean | null>(null)
  const [error, setError] = useState<string | null>(null)
  const subscribed = saving ?? answered ?? loaded.data?.subscribed

  const toggle = async (next: boolean) => {
    setError(null)
    setSaving(next)
    try {
      const result = await call(trpc.notices.subscribe.mutate({ flowId, subscribed: next }))
      setAnswered(result.subscribed)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The subscription could not be changed.')
    } finally {
      setSaving(null)
    }
  }

  const words = loaded.error
    ? `unknown (${loaded.error})`
    : subscriptionWords({ subscribed, saving: saving !== null, error })
  return (
    <label className="cp-subscribe" data-testid="flow-subscription">
      <input
        type="checkbox"
        checked={subscribed ?? false}
        disabled={subscribed === undefined || saving !== null}
        onChange={(e) => void toggle(e.target.checked)}
        data-testid="flow-subscribe"
      />
      Send me its change notices{' '}
      <span className="cp-hint" role="status" data-testid="flow-subscription-state">
        ({words})
      </span>
    </label>
  )
}

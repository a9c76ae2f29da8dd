// The flow's owners by kind, on the editor screen: who answers for the flow (named under
// Operations → Owners, the same list alerts and change sign-offs use).
import { api } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { useSession } from '../../store/session.store.ts'
import { mayFollow } from './flow-subscription.ts'
import { FlowSubscriptionToggle } from './flow-subscription-toggle.tsx'
import { OWNER_TITLES, ownerWords } from './owner-words.ts'

export function FlowOwnersStrip({ flowId }: { flowId: string }) {
  const owners = useLoader(() => api.flowOwners(flowId), [flowId])
  const role = useSession((s) => s.user?.role)
  if (owners.loading && !owners.data) return <p className="cp-hint cp-owners-strip">Loading the owners…</p>
  if (owners.error) return <p className="cp-hint cp-owners-strip">The owners could not be loaded: {owners.error}</p>
  const named = (owners.data ?? []).filter((o) => o.users.length + o.otherRecipients > 0)
  return (
    <section className="cp-owners-strip" aria-label="Owners of this flow" data-testid="flow-owners">
      <strong>Owners:</strong>{' '}
      {named.length === 0 ? (
        <span className="cp-hint">none named yet (an operator or admin names them under Operations → Owners).</span>
      ) : (
        named.map((o) => (
          <span key={o.kind} className="cp-owner" data-testid={`flow-owner-${o.kind}`}>
            {OWNER_TITLES[o.kind] ?? o.kind}: {ownerWords(o)}
          </span>
        ))
      )}
      {mayFollow(role) && <FlowSubscriptionToggle key={flowId} flowId={flowId} />}
    </section>
  )
}

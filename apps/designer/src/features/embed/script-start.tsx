// The launched script: the run the launch started with the caller's context, opened at the step
// waiting for this agent. A script that could not start, or has no step for the agent, says so.
import { api, type Launched } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { navigate } from '../../route.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'

async function waitingStep(runId: string): Promise<string | null> {
  const task = (await api.inbox()).find((t) => t.runId === runId)
  return task?.id ?? null
}

export function ScriptStart({ launched }: { launched: Launched }) {
  const runId = launched.run?.id
  const step = useLoader(async () => {
    const id = runId ? await waitingStep(runId) : null
    // Straight into the step: the script is what the agent was launched for.
    if (id) navigate(`/inbox/${encodeURIComponent(id)}`)
    return id
  }, [runId])
  if (launched.runError)
    return (
      <div className="cp-page narrow">
        <h2>The script did not start</h2>
        <ErrorState message={launched.runError} />
      </div>
    )
  if (step.loading && step.data === undefined) return <Loading what="the script" />
  if (step.error) return <ErrorState message={step.error} retry={step.reload} />
  return (
    <div className="cp-page narrow" data-testid="script-idle">
      <h2>Script</h2>
      <Empty>
        No step of this script is waiting for you now: it has finished, or waits on someone else. Check again, or open
        your inbox.
      </Empty>
      <div className="cp-row">
        <button type="button" className="cp-btn" onClick={step.reload} data-testid="script-refresh">
          Check again
        </button>
        <a className="cp-btn" href="#/inbox">
          Inbox
        </a>
      </div>
    </div>
  )
}

// The agent view a CRM or contact-centre desktop hosts in an iframe: opened by a launch token,
// it holds the agent's own session (same role, same PHI ceiling as the full UI, kept in memory
// only), walks the launched script's steps, offers the inbox, and tells the host page, at its
// registered origin only, when a step is done (ids only).
import { useEffect, useState } from 'react'
import { api, type Launched } from '../../api/carepath-api.ts'
import { onSessionExpired, setSessionToken } from '../../api/trpc-client.ts'
import { navigate, useRoute } from '../../route.ts'
import { InboxScreen } from '../../screens/inbox-screen.tsx'
import { ErrorState, Loading } from '../../screens/state-views.tsx'
import { TaskScreen } from '../../screens/task-screen.tsx'
import { hostTarget, notifyHost, readLaunch, type HostEvent } from './launch.ts'
import { ScriptStart } from './script-start.tsx'

type LaunchState =
  { status: 'launching' } | { status: 'refused'; message: string } | { status: 'ready'; launched: Launched }

const post = (message: HostEvent, origin: string) => window.parent.postMessage(message, origin)

// A launch token is single use: the exchange is made once per page, whatever React re-runs.
let exchange: Promise<Launched> | undefined
function exchangeOnce(token: string, host: string): Promise<Launched> {
  exchange ??= api.launch(token, host)
  return exchange
}

export function EmbedApp() {
  const [state, setState] = useState<LaunchState>({ status: 'launching' })
  const [target, setTarget] = useState<string | null>(null)
  // Which part the agent is in: a task opened from the script belongs to the script.
  const [section, setSection] = useState<'script' | 'inbox'>('script')
  const route = useRoute()

  useEffect(() => {
    const launch = readLaunch(window.location.search, window.location.hash)
    // The token leaves the address bar at once: it is not kept in history or shown on screen.
    if ('token' in launch) window.history.replaceState(null, '', window.location.pathname + window.location.search)
    if ('problem' in launch) return setState({ status: 'refused', message: launch.problem })
    onSessionExpired(() => {
      setSessionToken(null)
      setState({ status: 'refused', message: 'Your session ended. Open the agent view again from your desktop.' })
    })
    exchangeOnce(launch.token, launch.host).then(
      (launched) => {
        setSessionToken(launched.token, { persist: false })
        const to = hostTarget(launched.host.origins, window.location.ancestorOrigins?.[0], document.referrer)
        setTarget(to)
        setState({ status: 'ready', launched })
        notifyHost({ type: 'carepath.launched', runId: launched.run?.id ?? null }, to, post)
        navigate(launched.flowId ? '/script' : '/inbox')
      },
      (error: unknown) =>
        setState({
          status: 'refused',
          message: error instanceof Error ? error.message : 'The launch was not accepted.',
        }),
    )
  }, [])

  if (state.status === 'launching') return <Loading what="the agent view" />
  if (state.status === 'refused')
    return (
      <main className="cp-embed-refused" data-testid="embed-refused">
        <h1>Carepath agent view</h1>
        <ErrorState message={state.message} />
      </main>
    )
  const { launched } = state
  const onAnswered = (task: { id: string; runId: string; nodeId: string }) =>
    notifyHost({ type: 'carepath.step-completed', runId: task.runId, taskId: task.id, step: task.nodeId }, target, post)
  const onScript =
    launched.flowId !== null && (route.screen === 'flows' || (route.screen === 'task' && section === 'script'))
  return (
    <div className="cp-app cp-embed" data-testid="embed-app">
      <header className="cp-header">
        <span className="cp-logo">◆ Carepath</span>
        <nav aria-label="Agent view">
          {launched.flowId && (
            <a
              href="#/script"
              className={onScript ? 'active' : ''}
              onClick={() => setSection('script')}
              data-testid="embed-nav-script"
            >
              Script
            </a>
          )}
          <a
            href="#/inbox"
            className={onScript ? '' : 'active'}
            onClick={() => setSection('inbox')}
            data-testid="embed-nav-inbox"
          >
            Inbox
          </a>
        </nav>
        <span className="cp-user" data-testid="current-user">
          {launched.user.username} <small>({launched.user.role})</small> · in {launched.host.name}
        </span>
      </header>
      <main className="cp-main">
        {route.screen === 'task' ? (
          <TaskScreen key={route.taskId} taskId={route.taskId} onAnswered={onAnswered} embedded />
        ) : route.screen === 'inbox' || !launched.flowId ? (
          <InboxScreen />
        ) : (
          <ScriptStart launched={launched} />
        )}
      </main>
    </div>
  )
}

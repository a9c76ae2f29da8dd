// The shell: log-in when nobody is, otherwise a header with the screens the role uses.
import { useEffect } from 'react'
import { useSession } from './store/session.store.ts'
import { navigate, useRoute, type Route } from './route.ts'
import type { SessionUser } from './api/carepath-api.ts'
import { MyAlertsLink, MyAlertsScreen, useMyAlerts } from './features/alerts-inbox/my-alerts.tsx'
import { LoginScreen } from './features/auth/login-screen.tsx'
import { FlowListScreen } from './screens/flow-list-screen.tsx'
import { EditorScreen } from './screens/editor-screen.tsx'
import { RunsScreen } from './screens/runs-screen.tsx'
import { RunViewerScreen } from './screens/run-viewer-screen.tsx'
import { InboxScreen } from './screens/inbox-screen.tsx'
import { TaskScreen } from './screens/task-screen.tsx'
import { AuditScreen } from './screens/audit-screen.tsx'
import { AccessScreen } from './screens/access-screen.tsx'
import { RevealsScreen } from './screens/reveals-screen.tsx'
import { OperationsScreen } from './operations/operations-screen.tsx'
import { AdminScreen } from './admin/admin-screen.tsx'
import { PHI_ROLLUP_ROLES } from './features/phi-map/phi-map-roles.ts'
import { PhiMapScreen } from './features/phi-map/phi-map-screen.tsx'
import { useFocusOnNavigate } from './features/a11y/focus-on-navigate.ts'

export function App() {
  const user = useSession((s) => s.user)
  const checking = useSession((s) => s.checking)
  const route = useRoute()
  useEffect(() => {
    void useSession.getState().restore()
  }, [])
  if (checking) return <div className="cp-center">Loading…</div>
  if (!user) return <LoginScreen />
  return <SignedIn user={user} route={route} />
}

/** The shell of a logged-in person: the screens their role uses and their alert inbox. */
function SignedIn({ user, route }: { user: SessionUser; route: Route }) {
  const myAlerts = useMyAlerts()
  const isAgent = user.role === 'agent'
  const readsAudit = user.role === 'auditor' // the runtime lets only auditors read the trail
  const operates = user.role === 'operator' || user.role === 'admin'
  const isOperator = user.role === 'operator'
  const isAdmin = user.role === 'admin' // admins manage people and queues, not flows
  // A screen's own tabs (operations) keep focus where it is; a new screen starts at its heading.
  useFocusOnNavigate(route.screen === 'operations' ? route.screen : JSON.stringify(route))
  return (
    <div className="cp-app">
      <header className="cp-header">
        <span className="cp-logo">◆ Carepath</span>
        <nav>
          {operates && (
            <a
              href="#/operations"
              className={route.screen === 'operations' ? 'active' : ''}
              aria-current={route.screen === 'operations' ? 'page' : undefined}
              data-testid="nav-operations"
            >
              Operations
            </a>
          )}
          {!isAgent && !isOperator && !isAdmin && (
            <a
              href="#/flows"
              className={route.screen === 'flows' || route.screen === 'editor' ? 'active' : ''}
              aria-current={route.screen === 'flows' || route.screen === 'editor' ? 'page' : undefined}
              data-testid="nav-flows"
            >
              Flows
            </a>
          )}
          {/* Admins manage people and settings; runs hold patient data their role does not read (nor compliance's). */}
          {!isAdmin && user.role !== 'compliance' && (
            <a
              href="#/runs"
              className={route.screen === 'runs' || route.screen === 'run' ? 'active' : ''}
              aria-current={route.screen === 'runs' || route.screen === 'run' ? 'page' : undefined}
              data-testid="nav-runs"
            >
              Runs
            </a>
          )}
          {isAgent && (
            <a
              href="#/inbox"
              className={route.screen === 'inbox' || route.screen === 'task' ? 'active' : ''}
              aria-current={route.screen === 'inbox' || route.screen === 'task' ? 'page' : undefined}
              data-testid="nav-inbox"
            >
              Inbox
            </a>
          )}
          {isAdmin && (
            <a
              href="#/admin"
              className={route.screen === 'admin' ? 'active' : ''}
              aria-current={route.screen === 'admin' ? 'page' : undefined}
              data-testid="nav-admin"
            >
              Users and queues
            </a>
          )}
          {readsAudit && (
            <a
              href="#/audit"
              className={route.screen === 'audit' ? 'active' : ''}
              aria-current={route.screen === 'audit' ? 'page' : undefined}
              data-testid="nav-audit"
            >
              Audit
            </a>
          )}
          {/* Auditors and admins have the map in their Audit and Users screens; compliance has its own. */}
          {user.role === 'compliance' && (
            <a
              href="#/phi-map"
              className={route.screen === 'phi-map' ? 'active' : ''}
              aria-current={route.screen === 'phi-map' ? 'page' : undefined}
              data-testid="nav-phi-map"
            >
              PHI map
            </a>
          )}
          <MyAlertsLink alerts={myAlerts} active={route.screen === 'my-alerts'} />
          {readsAudit && (
            <a
              href="#/audit/access"
              className={route.screen === 'access' ? 'active' : ''}
              aria-current={route.screen === 'access' ? 'page' : undefined}
              data-testid="nav-access"
            >
              Access report
            </a>
          )}
          {readsAudit && (
            <a
              href="#/audit/reveals"
              className={route.screen === 'reveals' ? 'active' : ''}
              aria-current={route.screen === 'reveals' ? 'page' : undefined}
              data-testid="nav-reveals"
            >
              Break-glass
            </a>
          )}
        </nav>
        <span className="cp-user" data-testid="current-user">
          {user.username} <small>({user.role})</small>
        </span>
        <button
          type="button"
          className="cp-btn small ghost"
          data-testid="logout"
          onClick={() => {
            void useSession.getState().logout()
            navigate('/')
          }}
        >
          Log out
        </button>
      </header>
      <main className="cp-main">
        {(route.screen === 'admin' || (isAdmin && route.screen === 'flows')) &&
          (isAdmin ? <AdminScreen /> : <FlowListScreen />)}
        {route.screen === 'flows' &&
          !isAdmin &&
          (isAgent ? <InboxScreen /> : isOperator ? <OperationsScreen tab="incidents" /> : <FlowListScreen />)}
        {route.screen === 'operations' &&
          (operates ? <OperationsScreen tab={route.tab} /> : isAgent ? <InboxScreen /> : <FlowListScreen />)}
        {route.screen === 'editor' && <EditorScreen key={route.flowId} flowId={route.flowId} />}
        {route.screen === 'runs' && <RunsScreen />}
        {route.screen === 'run' && <RunViewerScreen key={route.runId} runId={route.runId} />}
        {route.screen === 'inbox' && (isAgent ? <InboxScreen /> : <FlowListScreen />)}
        {route.screen === 'task' && <TaskScreen key={route.taskId} taskId={route.taskId} />}
        {route.screen === 'my-alerts' && <MyAlertsScreen alerts={myAlerts} />}
        {route.screen === 'phi-map' &&
          (PHI_ROLLUP_ROLES.includes(user.role) ? <PhiMapScreen /> : isAgent ? <InboxScreen /> : <FlowListScreen />)}
        {route.screen === 'audit' && (readsAudit ? <AuditScreen /> : isAgent ? <InboxScreen /> : <FlowListScreen />)}
        {route.screen === 'access' && (readsAudit ? <AccessScreen /> : isAgent ? <InboxScreen /> : <FlowListScreen />)}
        {route.screen === 'reveals' &&
          (readsAudit ? <RevealsScreen /> : isAgent ? <InboxScreen /> : <FlowListScreen />)}
      </main>
    </div>
  )
}

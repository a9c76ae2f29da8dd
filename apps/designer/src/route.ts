// Hash routes (#/flows/eligibility-verification): the runtime serves one index.html, so the
// address bar still tells where you are and survives reloads.
import { useSyncExternalStore } from 'react'

export type Route =
  | { screen: 'flows' }
  | { screen: 'editor'; flowId: string }
  | { screen: 'runs'; flowId?: string | undefined }
  | { screen: 'run'; runId: string }
  | { screen: 'inbox' }
  | { screen: 'task'; taskId: string }
  | { screen: 'audit' }
  | { screen: 'operations'; tab: OperationsTab }
  | { screen: 'my-alerts' }
  | { screen: 'access' }
  | { screen: 'reveals' }
  | { screen: 'admin' }
  | { screen: 'phi-map' }

const OPERATIONS_TABS = ['incidents', 'alerts', 'dead-letters', 'metrics', 'owners'] as const
export type OperationsTab = (typeof OPERATIONS_TABS)[number]
const isOperationsTab = (tab: string | undefined): tab is OperationsTab =>
  OPERATIONS_TABS.some((known) => known === tab)

export function parseRoute(hash: string): Route {
  const [pathPart = '', queryPart = ''] = hash.replace(/^#\/?/, '').split('?')
  const query = new URLSearchParams(queryPart)
  const parts = pathPart.split('/').map(decodeURIComponent)
  switch (parts[0]) {
    case 'flows':
      return parts[1] ? { screen: 'editor', flowId: parts[1] } : { screen: 'flows' }
    case 'runs':
      return parts[1] ? { screen: 'run', runId: parts[1] } : { screen: 'runs', flowId: query.get('flow') ?? undefined }
    case 'inbox':
      return parts[1] ? { screen: 'task', taskId: parts[1] } : { screen: 'inbox' }
    case 'audit':
      return parts[1] === 'access'
        ? { screen: 'access' }
        : parts[1] === 'reveals'
          ? { screen: 'reveals' }
          : { screen: 'audit' }
    case 'operations':
      return { screen: 'operations', tab: isOperationsTab(parts[1]) ? parts[1] : 'incidents' }
    case 'my-alerts':
      return { screen: 'my-alerts' }
    case 'admin':
      return { screen: 'admin' }
    case 'phi-map':
      return { screen: 'phi-map' }
    default:
      return { screen: 'flows' }
  }
}

let leaveGuard: ((to: Route) => boolean) | null = null

/**
 * While set, asked before the route changes (a link, Back, a typed address); answering false
 * keeps the page where it is. The editor sets it while a flow has unsaved changes.
 */
export function setLeaveGuard(guard: ((to: Route) => boolean) | null): void {
  leaveGuard = guard
}

// Registered at load, before any screen subscribes, so a refused change is undone before it renders.
if (typeof window !== 'undefined')
  window.addEventListener('hashchange', (event) => {
    if (leaveGuard && !leaveGuard(parseRoute(new URL(event.newURL).hash)))
      window.history.replaceState(null, '', event.oldURL)
  })

export function navigate(path: string): void {
  window.location.hash = path
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback)
  return () => window.removeEventListener('hashchange', callback)
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  return parseRoute(hash)
}

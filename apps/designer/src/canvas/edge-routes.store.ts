// Where auto-layout's edge routes live: in the open editor only, never saved. Node positions are
// saved with the flow, but a route is a drawing of the moment right after Auto-layout; once a node
// moves, its edges go back to smoothstep, and reopening a flow starts without routes.
import { create } from 'zustand'
import type { EdgeRoute } from './edge-routes.ts'

interface EdgeRoutesState {
  /** By edge id. */
  routes: Readonly<Record<string, EdgeRoute>>
  setRoutes(routes: Readonly<Record<string, EdgeRoute>>): void
  clear(): void
}

const NO_ROUTES: Readonly<Record<string, EdgeRoute>> = {}

export const useEdgeRoutes = create<EdgeRoutesState>()((set) => ({
  routes: NO_ROUTES,
  setRoutes(routes) {
    set({ routes })
  },
  clear() {
    set({ routes: NO_ROUTES })
  },
}))

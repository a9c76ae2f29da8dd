// Who is logged in. The token lives in sessionStorage (gone with the tab); an expired session
// sends the user back to log-in.
import { create } from 'zustand'
import { api } from '../api/carepath-api.ts'
import { getSessionToken, onSessionExpired, setSessionToken } from '../api/trpc-client.ts'
import type { SessionUser } from '../api/carepath-api.ts'

interface SessionState {
  user: SessionUser | null
  /** True while an existing token is being checked at start-up. */
  checking: boolean
  login(username: string, password: string): Promise<void>
  logout(): Promise<void>
  restore(): Promise<void>
}

export const useSession = create<SessionState>()((set) => ({
  user: null,
  checking: getSessionToken() !== null,
  async login(username, password) {
    const { token, user } = await api.login(username, password)
    setSessionToken(token)
    set({ user })
  },
  async logout() {
    try {
      await api.logout()
    } finally {
      setSessionToken(null)
      set({ user: null })
    }
  },
  async restore() {
    if (!getSessionToken()) return set({ checking: false })
    try {
      set({ user: await api.me(), checking: false })
    } catch {
      setSessionToken(null)
      set({ user: null, checking: false })
    }
  },
}))

onSessionExpired(() => {
  setSessionToken(null)
  useSession.setState({ user: null })
})

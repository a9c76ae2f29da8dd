// Who is logged in. The token lives in sessionStorage (gone with the tab); an expired session
// sends the user back to log-in. A log-in may take two steps: the password, then a second
// factor (or, the first time, enrolling one); `pending` holds the half-way challenge meanwhile.
import { startAuthentication, startRegistration } from '@simplewebauthn/browser'
import { create } from 'zustand'
import { api, type LoginStep } from '../api/carepath-api.ts'
import { getSessionToken, onSessionExpired, setSessionToken } from '../api/trpc-client.ts'
import type { SessionUser } from '../api/carepath-api.ts'

/** The second step a log-in waits on. */
export type PendingLogin = Exclude<LoginStep, { status: 'ok' }>

interface SessionState {
  user: SessionUser | null
  /** True while an existing token is being checked at start-up. */
  checking: boolean
  /** Set between the password and the second factor. */
  pending: PendingLogin | null
  /** Recovery codes to show once, after a first enrolment, before the app opens. */
  recoveryCodes: string[] | null
  /** Why the last single sign-on did not log anyone in, for the log-in screen. */
  ssoError: string | null
  login(username: string, password: string): Promise<void>
  /** The second step: a code from the app, or a recovery code. */
  verify(input: { code: string } | { recoveryCode: string }): Promise<void>
  /** The second step with a passkey: the browser asks the authenticator, the server checks its answer. */
  verifyPasskey(): Promise<void>
  /** The first enrolment with a passkey instead of an app; the recovery codes are shown next. */
  enrolPasskey(): Promise<void>
  /** The first enrolment, during log-in: confirm the app's code; the recovery codes are shown next. */
  confirmEnrolment(code: string): Promise<void>
  /** The recovery codes were saved: open the app. */
  acknowledgeRecoveryCodes(): void
  /** Back to the password step. */
  cancel(): void
  logout(): Promise<void>
  restore(): Promise<void>
}

let enrolled: { token: string; user: SessionUser } | null = null
const SSO_REFUSED =
  'Single sign-on did not log you in: the identity provider’s answer was refused, or your account has no Carepath role.'

/** A log-in step's answer: a session opens the app, a challenge waits for the second step. */
function settle(step: LoginStep) {
  if (step.status === 'ok') {
    setSessionToken(step.token)
    useSession.setState({ user: step.user, pending: null, ssoError: null })
  } else useSession.setState({ pending: step, ssoError: null })
}

export const useSession = create<SessionState>()((set, get) => ({
  user: null,
  checking: getSessionToken() !== null || window.location.hash.startsWith('#/sso'),
  pending: null,
  recoveryCodes: null,
  ssoError: null,
  async login(username, password) {
    settle(await api.login(username, password))
  },
  async verify(input) {
    const pending = get().pending
    if (!pending) return
    const done =
      'code' in input
        ? await api.verifyCode(pending.challenge, input.code)
        : await api.verifyRecoveryCode(pending.challenge, input.recoveryCode)
    setSessionToken(done.token)
    set({ user: done.user, pending: null })
  },
  async verifyPasskey() {
    const pending = get().pending
    if (!pending) return
    const optionsJSON = await api.passkeyOptions(pending.challenge)
    const done = await api.passkeyVerify(pending.challenge, await startAuthentication({ optionsJSON }))
    setSessionToken(done.token)
    set({ user: done.user, pending: null })
  },
  async enrolPasskey() {
    const pending = get().pending
    if (!pending) return
    const optionsJSON = await api.passkeyEnrolStart(pending.challenge)
    const done = await api.passkeyEnrolFinish(await startRegistration({ optionsJSON }), pending.challenge)
    if (done.status !== 'ok') return
    enrolled = { token: done.token, user: done.user }
    set({ pending: null, recoveryCodes: done.recoveryCodes })
  },
  async confirmEnrolment(code) {
    const pending = get().pending
    if (!pending) return
    const done = await api.enrolConfirm(code, pending.challenge)
    if (done.status !== 'ok') return
    enrolled = { token: done.token, user: done.user }
    set({ pending: null, recoveryCodes: done.recoveryCodes })
  },
  acknowledgeRecoveryCodes() {
    if (!enrolled) return set({ recoveryCodes: null })
    setSessionToken(enrolled.token)
    set({ user: enrolled.user, recoveryCodes: null })
    enrolled = null
  },
  cancel: () => set({ pending: null, recoveryCodes: null }),
  async logout() {
    try {
      await api.logout()
    } finally {
      setSessionToken(null)
      set({ user: null })
    }
  },
  async restore() {
    // Back from the identity provider: #/sso/<one-time code>, or #/sso-error when it refused.
    const sso = /^#\/sso(?:\/([^/?]+)|-error)$/.exec(window.location.hash)
    if (sso) {
      window.history.replaceState(null, '', window.location.pathname)
      if (!sso[1]) return set({ checking: false, ssoError: SSO_REFUSED })
      try {
        settle(await api.ssoExchange(sso[1]))
      } catch (e) {
        set({ ssoError: e instanceof Error ? e.message : SSO_REFUSED })
      }
      return set({ checking: false })
    }
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

// What the runtime knows of its inbound listeners (the HL7 MLLP port): listening, or down since
// when and why. The listener reports as it opens, fails and closes; the "listener down" alert rule
// reads it. Kept in memory: a process that is not running has no listener and no alerts either.

/** One listener's state. */
export interface ListenerState {
  /** A stable name, like `hl7-mllp:2575`. */
  name: string
  /** What people call it ("HL7 MLLP listener on 127.0.0.1:2575"). */
  title: string
  listening: boolean
  /** When it last started listening or went down. */
  since: string
  /** Why it is down (a socket error's code and message, or "stopped"); null while listening. */
  reason: string | null
}

export function createListenerHealth(now: () => Date) {
  const states = new Map<string, ListenerState>()
  const set = (name: string, title: string, listening: boolean, reason: string | null) => {
    const before = states.get(name)
    // The time an episode began: a second error while down does not restart it.
    const since = before && before.listening === listening ? before.since : now().toISOString()
    states.set(name, { name, title, listening, since, reason })
  }
  return {
    /** The listener accepts connections. */
    up: (name: string, title: string) => set(name, title, true, null),
    /** The listener stopped, or could not open, or its socket failed. */
    down: (name: string, title: string, reason: string) => set(name, title, false, reason),
    list: (): ListenerState[] => [...states.values()].sort((a, b) => a.name.localeCompare(b.name)),
  }
}
export type ListenerHealth = ReturnType<typeof createListenerHealth>

/** A socket error as a plain reason: its code when it has one (EADDRINUSE), else its message. */
export function listenerErrorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : null
    return code ? `${code}: ${error.message}` : error.message
  }
  return 'the listener failed'
}

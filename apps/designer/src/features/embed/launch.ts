// The pure part of the embedded agent view: reading the launch from the address, choosing the
// one origin events may go to, and the events themselves (ids only: the host already knows the
// patient, and nothing else a step saw may leave the frame).

/** Where the view lives (the server lets only the registered hosts frame this path). */
export const EMBED_PATH = '/embed/agent'

/** The launch the address carries: `/embed/agent?host=<audience>#launch=<token>`. */
export function readLaunch(search: string, hash: string): { host: string; token: string } | { problem: string } {
  const host = new URLSearchParams(search).get('host')
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('launch')
  if (!host || !token)
    return { problem: 'This view opens from your desktop application with a launch link. Open it from there.' }
  return { host, token }
}

/**
 * The registered origin of the page framing the view, to post events to; null when it cannot be
 * told, in which case nothing is posted (never to '*'). The browser's own list of ancestors is
 * trusted first, then the referrer; a host with a single origin is that origin (the frame
 * policy lets no other page frame the view for it).
 */
export function hostTarget(origins: readonly string[], ancestor: string | undefined, referrer: string): string | null {
  if (ancestor !== undefined) return origins.includes(ancestor) ? ancestor : null
  let fromReferrer: string | undefined
  try {
    fromReferrer = referrer ? new URL(referrer).origin : undefined
  } catch {
    fromReferrer = undefined
  }
  if (fromReferrer !== undefined && origins.includes(fromReferrer)) return fromReferrer
  return origins.length === 1 ? origins[0]! : null
}

/** What the host is told. Ids only, by design: no facts, no answers, no outcome names. */
export type HostEvent =
  | { type: 'carepath.launched'; runId: string | null }
  | { type: 'carepath.step-completed'; runId: string; taskId: string; step: string }

/** Post `event` to the host page at its registered origin, if there is one to post to. */
export function notifyHost(
  event: HostEvent,
  target: string | null,
  post: (message: HostEvent, origin: string) => void,
) {
  if (target !== null) post(event, target)
}

// Outbound TLS always verifies certificates. An installation whose systems use certificates from
// a private CA adds that CA (settings `tls.privateCa`, audited like every settings change); there is
// deliberately no switch to stop verifying.
import { rootCertificates } from 'node:tls'
import { Agent } from 'undici'

/** The CAs an outbound connection trusts: the public roots Node ships plus the installation's own. */
export const trustedCas = (privateCa: readonly string[]): string[] => [...rootCertificates, ...privateCa]

/** `fetch` trusting the public roots and `privateCa` (the global fetch when there is none). */
export function fetchTrusting(privateCa: readonly string[]): typeof fetch {
  if (privateCa.length === 0) return fetch
  const dispatcher = new Agent({ connect: { ca: trustedCas(privateCa) } })
  // Node's own fetch reads `dispatcher` (an undici option the DOM's RequestInit does not declare),
  // given an Agent of the undici release line Node 20 bundles (pinned in package.json).
  return (input, init) => {
    const withDispatcher = { ...init, dispatcher }
    return fetch(input, withDispatcher)
  }
}

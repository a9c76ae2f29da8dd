// Bearer secrets (session tokens, API tokens, log-in challenges) are kept only as their hash, so a
// copy of the database lets no one in. One definition, so a secret stored by one part of
// authentication is found by every other.
import { createHash } from 'node:crypto'

/** The hex sha256 a bearer secret is stored and looked up by. */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

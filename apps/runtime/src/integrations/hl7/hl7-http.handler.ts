// HL7 v2 over HTTP: POST the message text, get the ACK back as the body (200 for AA, 400 for AE
// on an unreadable message, 422 for AR). Works as a node:http or express handler.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Hl7Intake } from './hl7-intake.ts'

export interface Hl7HttpOptions {
  intake: Hl7Intake
  maxBytes?: number
  /** Who may post messages (an API token check, say); refused requests get 401 and are not stored. */
  authorize?: (req: IncomingMessage) => boolean
}

const STATUS = { AA: 200, AE: 400, AR: 422 } as const

export function createHl7HttpHandler(options: Hl7HttpOptions) {
  const maxBytes = options.maxBytes ?? 1024 * 1024
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST an HL7 v2 message.')
      return
    }
    if (options.authorize && !options.authorize(req)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Not authorised to send HL7 messages here.')
      return
    }
    const parts: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes && !refused) {
        refused = true
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('The message is too large.')
        req.destroy()
      } else if (!refused) parts.push(chunk)
    })
    req.on('end', () => {
      if (refused) return
      options
        .intake(Buffer.concat(parts).toString('utf8'), 'http')
        .then((result) => {
          res
            .writeHead(STATUS[result.code], { 'content-type': 'x-application/hl7-v2+er7; charset=utf-8' })
            .end(result.ack)
        })
        .catch(() => {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('The message could not be handled; send it again.')
        })
    })
  }
}

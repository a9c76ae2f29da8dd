// HL7 v2 over HTTP: POST the message text, get the ACK back as the body (200 for AA, 422 for AR,
// 400 for a message without a header we can read, 503 for AE: try again later). A request always
// gets its application ACK whatever MSH-15/16 say, since HTTP has one answer per request; a batch
// gets its batch of ACKs, with the status of the worst of them. Works as a node:http or express
// handler.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { answerFrame } from './hl7-batch.ts'
import type { Hl7Intake } from './hl7-intake.ts'

export interface Hl7HttpOptions {
  intake: Hl7Intake
  maxBytes?: number
  /** Who may post messages (an API token check, say); refused requests get 401 and are not stored. */
  authorize?: (req: IncomingMessage) => boolean
}

const STATUS = { AA: 200, AE: 503, AR: 422 } as const

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
      const text = Buffer.concat(parts).toString('utf8')
      answerFrame(options.intake, text, 'http')
        .then(({ results, replies }) => {
          const worst = results.some((r) => r.code === 'AR') ? 'AR' : results.some((r) => r.code === 'AE') ? 'AE' : 'AA'
          const body = results.length === 1 ? results[0]!.ack : (replies[0] ?? '')
          const status = results.length === 1 && results[0]!.unreadable ? 400 : STATUS[worst]
          res.writeHead(status, { 'content-type': 'x-application/hl7-v2+er7; charset=utf-8' }).end(body)
        })
        .catch(() => {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('The message could not be handled; send it again.')
        })
    })
  }
}

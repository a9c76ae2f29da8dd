// Send one HL7 message over MLLP (or MLLPS) and wait for the one acknowledgement frame back.
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { MllpFramer, mllpFrame } from '../hl7/mllp-framer.ts'

export interface MllpTarget {
  host: string
  port: number
  tls?: { ca?: string | undefined; cert?: string | undefined; privateKey?: string | undefined } | undefined
  ackTimeoutMs: number
}

/** Why an attempt failed, in words that hold no message content. */
export class MllpSendError extends Error {
  override readonly name = 'MllpSendError'
}

/** The ACK text for `message`, or an MllpSendError (refused, reset, closed, timed out). */
export function sendOverMllp(target: MllpTarget, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = target.tls
      ? tlsConnect({
          host: target.host,
          port: target.port,
          minVersion: 'TLSv1.2',
          ...(target.tls.ca ? { ca: target.tls.ca } : {}),
          ...(target.tls.cert && target.tls.privateKey ? { cert: target.tls.cert, key: target.tls.privateKey } : {}),
        })
      : connect(target.port, target.host)
    const framer = new MllpFramer()
    let settled = false
    const finish = (error: Error | undefined, ack?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(ack ?? '')
    }
    const timer = setTimeout(() => finish(new MllpSendError('no acknowledgement in time')), target.ackTimeoutMs)
    socket.on(target.tls ? 'secureConnect' : 'connect', () => socket.write(mllpFrame(message)))
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind === 'frame') return finish(undefined, event.payload.toString('utf8'))
      }
    })
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        new MllpSendError(
          error.code === 'ECONNREFUSED' ? 'connection refused' : `connection failed (${error.code ?? 'error'})`,
        ),
      ),
    )
    socket.on('close', () => finish(new MllpSendError('connection closed before the acknowledgement')))
  })
}

/** MSA-1 and MSA-3 of an acknowledgement, and the MSA-2 it answers. */
export function readAck(ack: string): { code: string; controlId: string; text: string } | undefined {
  const msa = ack.split(/\r\n|\r|\n/).find((segment) => segment.startsWith('MSA|'))
  if (!msa) return undefined
  const [, code = '', controlId = '', text = ''] = msa.split('|')
  return /^[AC][ARE]$/.test(code) ? { code, controlId, text } : undefined
}

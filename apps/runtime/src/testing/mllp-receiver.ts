// An independent MLLP receiver for tests, over node:net: it records each message and answers with
// the acknowledgement code `answer` picks, so a sender is tested against a peer it does not share
// code with (only the framing).
import { createServer, type Server, type Socket } from 'node:net'
import { mllpFrame, MllpFramer } from '../integrations/hl7/mllp-framer.ts'

export interface MllpReceiver {
  /** The messages received, in order. */
  received: string[]
  port: number
  close(): Promise<void>
}

/** Listen on `port` (a free one when 0); every message is accepted (AA) unless `answer` says otherwise. */
export function startMllpReceiver(
  port = 0,
  answer: (message: string, index: number) => 'AA' | 'AE' | 'AR' = () => 'AA',
): Promise<MllpReceiver> {
  const received: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const framer = new MllpFramer()
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'frame') continue
        const message = event.payload.toString('utf8')
        const controlId = message.split('\r')[0]?.split('|')[9] ?? ''
        const code = answer(message, received.length)
        received.push(message)
        socket.write(
          mllpFrame(
            `MSH|^~\\&|RECV||CAREPATH||20250301000000||ACK|A${received.length}|P|2.5.1\rMSA|${code}|${controlId}|${code === 'AA' ? '' : 'refused'}\r`,
          ),
        )
      }
    })
  })
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        received,
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    }),
  )
}

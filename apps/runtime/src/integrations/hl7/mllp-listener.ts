// The MLLP listener `carepath serve --mllp-port N` opens. Per connection: frames in order, one
// message at a time (the ACK for message n goes out before message n+1 is looked at, as HL7
// original mode expects), an idle timeout, and a cap on frame size.
import { connect, createServer, type Server, type Socket } from 'node:net'
import { connect as tlsConnect, createServer as createTlsServer, type TlsOptions } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { MllpFramer, mllpFrame } from './mllp-framer.ts'
import { createHl7Intake, type Hl7Intake, type Hl7IntakeOptions } from './hl7-intake.ts'

export interface MllpListenerOptions extends Partial<Hl7IntakeOptions> {
  port: number
  host?: string
  /** Or give a ready intake instead of store + acceptRun. */
  intake?: Hl7Intake
  /** Largest accepted frame (default 1 MiB); larger frames are dropped and the connection closed. */
  maxFrameBytes?: number
  /** Close a connection silent for this long (default 5 minutes). */
  idleTimeoutMs?: number
  /** Message text encoding (default utf8; latin1 for MSH-18 8859/1 senders). */
  encoding?: BufferEncoding
  /** Connections open at once (default 64); one more is closed on arrival, and logged. */
  maxConnections?: number
  /** When given, only these sender addresses may connect (IPv4 or IPv6); others are closed on arrival, and logged. */
  allowedSenders?: readonly string[]
  /** MLLPS: TLS 1.2+ with this key and certificate; `ca` + `requestCert` for mutual TLS. */
  tls?: Pick<TlsOptions, 'key' | 'cert' | 'ca' | 'requestCert' | 'ciphers' | 'honorCipherOrder'>
}

/** What `serve` passes for --mllp-max-connections and --mllp-allow. */
export type MllpLimits = Pick<MllpListenerOptions, 'maxConnections' | 'allowedSenders'>

export interface MllpListener {
  port: number
  host: string
  close(): Promise<void>
}

const DEFAULT_MAX_CONNECTIONS = 64

/** An address as the allow-list compares it: an IPv4 address seen through IPv6 (::ffff:a.b.c.d) is a.b.c.d. */
export function senderAddress(address: string): string {
  const trimmed = address.trim().toLowerCase()
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed
}

export async function startMllpListener(options: MllpListenerOptions): Promise<MllpListener> {
  const intake =
    options.intake ?? (options.store && options.acceptRun ? createHl7Intake(options as Hl7IntakeOptions) : undefined)
  if (!intake) throw new Error('startMllpListener needs an intake, or a store and acceptRun.')
  const log = options.log ?? (() => {})
  const sockets = new Set<Socket>()
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const allowed = options.allowedSenders ? new Set(options.allowedSenders.map(senderAddress)) : undefined
  const onConnection = (socket: Socket) => {
    const sender = senderAddress(socket.remoteAddress ?? '')
    if (allowed && !allowed.has(sender)) {
      log(`mllp: connection from ${sender}, not on the sender allow-list; closed`)
      socket.destroy()
      return
    }
    if (sockets.size >= maxConnections) {
      log(`mllp: ${maxConnections} connections already open; one from ${sender} closed`)
      socket.destroy()
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.setTimeout(options.idleTimeoutMs ?? 5 * 60_000, () => socket.end())
    socket.on('error', () => socket.destroy())
    const framer = new MllpFramer(options.maxFrameBytes ?? 1024 * 1024)
    let queue = Promise.resolve()
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind === 'oversized') {
          log(`mllp: frame over ${event.limit} bytes from ${socket.remoteAddress}; connection closed`)
          socket.destroy()
          return
        }
        if (event.kind === 'garbage') continue
        const text = event.payload.toString(options.encoding ?? 'utf8')
        queue = queue
          .then(async () => {
            const result = await intake(text, 'mllp')
            if (!socket.destroyed) socket.write(mllpFrame(result.ack))
          })
          .catch(() => {
            // No ACK for a message we could not handle: the sender resends it later.
            log('mllp: a message could not be handled; connection closed without ACK')
            socket.destroy()
          })
      }
    })
  }
  const server: Server = options.tls
    ? createTlsServer(
        { ...options.tls, minVersion: 'TLSv1.2', rejectUnauthorized: options.tls.requestCert === true },
        onConnection,
      )
    : createServer(onConnection)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    port: address.port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.end()
      }),
  }
}

/** A minimal MLLP client: send messages one by one on one connection and collect their ACKs. */
export async function sendMllp(
  port: number,
  messages: (string | Buffer)[],
  options: {
    host?: string
    chunks?: (frame: Buffer) => Buffer[]
    tls?: { ca?: string | Buffer; key?: string | Buffer; cert?: string | Buffer }
  } = {},
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const host = options.host ?? '127.0.0.1'
    const socket = options.tls
      ? tlsConnect({ port, host, ...options.tls, servername: 'localhost' })
      : connect(port, host)
    const framer = new MllpFramer()
    const acks: string[] = []
    let next = 0
    const sendNext = () => {
      const message = messages[next++]!
      const frame = Buffer.isBuffer(message) ? message : mllpFrame(message)
      for (const part of options.chunks ? options.chunks(frame) : [frame]) socket.write(part)
    }
    socket.on(options.tls ? 'secureConnect' : 'connect', () => (messages.length ? sendNext() : socket.end()))
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'frame') continue
        acks.push(event.payload.toString('utf8'))
        if (next < messages.length) sendNext()
        else socket.end()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(acks))
  })
}

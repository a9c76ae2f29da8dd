// The MLLP listener `carepath serve --mllp-port N` opens. Per connection: frames in order, one
// message looked at at a time (message n+1 is routed once message n's runs are queued for the
// group commit), ACKs in the order of the messages, each only once its message and runs are
// committed (so a pipelining sender's messages share one transaction), an idle timeout, and a cap
// on frame size.
import { connect, createServer, type Server, type Socket } from 'node:net'
import { connect as tlsConnect, createServer as createTlsServer, type TlsOptions } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { MllpFramer, mllpFrame } from './mllp-framer.ts'
import { answerFrame } from './hl7-batch.ts'
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
  /** Told when the port starts listening, fails (the socket's error) or closes (reason "stopped"). */
  onState?: (state: { listening: true; port: number } | { listening: false; error: unknown }) => void
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
    let looked = Promise.resolve()
    // ACKs that become ready in one turn of the event loop (a group commit answers many messages
    // at once) leave in one write rather than one system call each.
    let corked = false
    const send = (reply: string) => {
      if (socket.destroyed) return
      if (!corked) {
        corked = true
        socket.cork()
        setImmediate(() => {
          corked = false
          socket.uncork()
        })
      }
      socket.write(mllpFrame(reply))
    }
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind === 'oversized') {
          log(`mllp: frame over ${event.limit} bytes from ${socket.remoteAddress}; connection closed`)
          socket.destroy()
          return
        }
        if (event.kind === 'missing-cr') {
          log(`mllp: a frame from ${socket.remoteAddress} ended without CR after FS; it was taken as whole`)
          continue
        }
        if (event.kind === 'abandoned') {
          log(
            `mllp: ${event.bytes} bytes of an unfinished frame from ${socket.remoteAddress} were dropped: a new frame started before it ended`,
          )
          continue
        }
        if (event.kind === 'garbage') continue
        const text = event.payload.toString(options.encoding ?? 'utf8')
        // Pipelined: each frame is stored as soon as it arrives (frames that arrive together share
        // one disk flush), looked at only after the frame before it was (its runs queued), and
        // answered only after the frame before it was answered and its own runs committed.
        const previousLooked = looked
        let lookedAt = () => {}
        looked = new Promise<void>((resolve) => (lookedAt = resolve))
        const answer = answerFrame(intake, text, 'mllp', { log, after: previousLooked, lookedAt })
        answer.then(lookedAt, lookedAt)
        const previous = queue
        queue = Promise.all([answer, previous])
          .then(([{ replies }]) => {
            // Enhanced mode may ask for no ACK at all (MSH-15/16 NE), or for two.
            for (const reply of replies) send(reply)
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
  options.onState?.({ listening: true, port: address.port })
  // A socket that fails after opening stops the server: whoever watches the listener is told.
  let failed = false
  server.on('error', (error) => {
    failed = true
    options.onState?.({ listening: false, error })
    server.close()
  })
  // Closing after a failure keeps the failure as the reason.
  server.on('close', () => {
    if (!failed) options.onState?.({ listening: false, error: new Error('stopped') })
  })
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

/**
 * A minimal MLLP client: send messages one by one on one connection and collect the ACK frames.
 * After each message it waits for `acksFor(index)` frames (default 1) before sending the next:
 * an enhanced-mode message may be answered by none (MSH-15/16 NE) or by two (commit + application).
 */
export async function sendMllp(
  port: number,
  messages: (string | Buffer)[],
  options: {
    host?: string
    chunks?: (frame: Buffer) => Buffer[]
    tls?: { ca?: string | Buffer; key?: string | Buffer; cert?: string | Buffer }
    acksFor?: (index: number) => number
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
    let awaited = 0
    const sendNext = () => {
      if (next >= messages.length) {
        socket.end()
        return
      }
      const index = next++
      const message = messages[index]!
      const frame = Buffer.isBuffer(message) ? message : mllpFrame(message)
      for (const part of options.chunks ? options.chunks(frame) : [frame]) socket.write(part)
      awaited = options.acksFor ? options.acksFor(index) : 1
      if (awaited === 0) setImmediate(sendNext)
    }
    socket.on(options.tls ? 'secureConnect' : 'connect', sendNext)
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'frame') continue
        acks.push(event.payload.toString('utf8'))
        if (--awaited === 0) sendNext()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(acks))
  })
}

// MLLP framing (HL7 v2 over TCP): <VT 0x0B> payload <FS 0x1C><CR 0x0D>. Written here because the
// npm MLLP stacks mis-frame (one merges two frames that arrive in one chunk, another re-delivers
// messages when a frame is split). A byte state machine has neither problem: it never looks at
// chunk boundaries, only at bytes.
//
// The end of a frame is the FS byte: a message cannot contain FS, so a frame whose sender left
// out the CR after it is still whole, and is answered rather than held until more bytes come.

export const VT = 0x0b
export const FS = 0x1c
export const CR = 0x0d

/** What the framer reports besides whole frames. */
export type FramerEvent =
  | { kind: 'frame'; payload: Buffer }
  /** Bytes outside any frame (before a VT); dropped. */
  | { kind: 'garbage'; bytes: number }
  /** A frame grew past the limit; its bytes are dropped up to the next VT. */
  | { kind: 'oversized'; limit: number }
  /** A frame ended with FS but no CR after it (it was still delivered as a frame). */
  | { kind: 'missing-cr' }
  /** A start byte came before the frame in progress ended: that unfinished frame was dropped. */
  | { kind: 'abandoned'; bytes: number }

type State = 'SEEK_VT' | 'IN_FRAME' | 'SAW_FS' | 'SKIP_OVERSIZED'

/** Incremental MLLP decoder: push chunks as they arrive, get whole frames out in order. */
export class MllpFramer {
  private state: State = 'SEEK_VT'
  private parts: Buffer[] = []
  private length = 0
  private garbage = 0

  constructor(private readonly maxFrameBytes = 1024 * 1024) {}

  /** Feed one chunk; returns the events it completes (possibly several frames). */
  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = []
    let start = -1 // start of the frame bytes inside this chunk
    const keep = (end: number) => {
      if (start >= 0 && end > start) this.append(chunk.subarray(start, end))
      start = -1
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      switch (this.state) {
        case 'SEEK_VT':
          if (byte === VT) {
            this.flushGarbage(events)
            this.state = 'IN_FRAME'
            start = i + 1
          } else {
            this.garbage++
          }
          break
        case 'IN_FRAME':
          if (byte === FS) {
            keep(i)
            events.push({ kind: 'frame', payload: Buffer.concat(this.parts, this.length) })
            this.reset()
            this.state = 'SAW_FS'
          } else if (byte === VT) {
            // A new start byte inside a frame: the sender gave up on the old one. Start afresh.
            keep(i)
            if (this.length > 0) events.push({ kind: 'abandoned', bytes: this.length })
            this.reset()
            start = i + 1
          } else {
            if (start < 0) start = i
            if (this.length + (i + 1 - start) > this.maxFrameBytes) {
              start = -1
              this.reset()
              this.state = 'SKIP_OVERSIZED'
              events.push({ kind: 'oversized', limit: this.maxFrameBytes })
            }
          }
          break
        case 'SAW_FS':
          this.state = 'SEEK_VT'
          if (byte !== CR) {
            // The frame already went out; say the CR was missing, and read this byte afresh
            // (a VT right after FS starts the next frame).
            events.push({ kind: 'missing-cr' })
            i--
          }
          break
        case 'SKIP_OVERSIZED':
          if (byte === VT) {
            this.state = 'IN_FRAME'
            start = i + 1
          }
          break
      }
    }
    if (this.state === 'IN_FRAME') keep(chunk.length)
    this.flushGarbage(events)
    return events
  }

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.length
  }

  private append(bytes: Uint8Array) {
    this.parts.push(Buffer.from(bytes))
    this.length += bytes.length
  }

  private reset() {
    this.parts = []
    this.length = 0
  }

  private flushGarbage(events: FramerEvent[]) {
    if (this.garbage > 0) events.push({ kind: 'garbage', bytes: this.garbage })
    this.garbage = 0
  }
}

/** Wrap a payload in an MLLP frame. */
export function mllpFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload)
  return Buffer.concat([Uint8Array.of(VT), body, Uint8Array.of(FS, CR)])
}

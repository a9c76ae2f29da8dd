import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { hl7Samples } from '../testing/hl7-samples.ts'
import { MllpFramer, mllpFrame, type FramerEvent } from './mllp-framer.ts'

const samples = hl7Samples().map((s) => s.text.replace(/\r?\n/g, '\r'))

const frames = (events: FramerEvent[]) =>
  events.flatMap((e) => (e.kind === 'frame' ? [e.payload.toString('utf8')] : []))

function feed(framer: MllpFramer, bytes: Buffer, cuts: number[]): FramerEvent[] {
  const events: FramerEvent[] = []
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    events.push(...framer.push(bytes.subarray(from, cut)))
    from = cut
  }
  return events
}

describe('MllpFramer', () => {
  it('yields every sample exactly once when its frame is split at every byte position', () => {
    const wrong: string[] = []
    let tried = 0
    for (const [index, sample] of samples.entries()) {
      const bytes = mllpFrame(sample)
      for (let cut = 1; cut < bytes.length; cut++, tried++) {
        const got = frames(feed(new MllpFramer(), bytes, [cut]))
        if (got.length !== 1 || got[0] !== sample) wrong.push(`sample ${index} cut at ${cut}`)
      }
    }
    expect(tried).toBeGreaterThan(45_000)
    expect(wrong).toEqual([])
  })

  it('yields the frames in order when one frame arrives a byte at a time', () => {
    const bytes = Buffer.concat([mllpFrame(samples[0]!), mllpFrame(samples[1]!)])
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)
    expect(frames(feed(new MllpFramer(), bytes, cuts))).toEqual([samples[0], samples[1]])
  })

  it('splits several frames that arrive in one chunk', () => {
    const bytes = Buffer.concat(samples.map((s) => mllpFrame(s)))
    expect(frames(new MllpFramer().push(bytes))).toEqual(samples)
  })

  it('yields the whole corpus under any random chunking (property)', () => {
    const bytes = Buffer.concat(samples.map((s) => mllpFrame(s)))
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 60 }), (cuts) => {
        expect(
          frames(
            feed(
              new MllpFramer(),
              bytes,
              cuts.sort((a, b) => a - b),
            ),
          ),
        ).toEqual(samples)
      }),
      { numRuns: 200 },
    )
  })

  it('drops garbage before the start byte and reports it', () => {
    const events = new MllpFramer().push(
      Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n\r\n'), mllpFrame('MSH|a'), Buffer.from('xx'), mllpFrame('MSH|b')]),
    )
    expect(frames(events)).toEqual(['MSH|a', 'MSH|b'])
    expect(events.filter((e) => e.kind === 'garbage').map((e) => (e as { bytes: number }).bytes)).toEqual([18, 2])
  })

  it('drops an oversized frame, reports it once, and recovers at the next start byte', () => {
    const framer = new MllpFramer(100)
    const big = mllpFrame('MSH|' + 'x'.repeat(500))
    const events = [
      ...framer.push(big.subarray(0, 60)),
      ...framer.push(big.subarray(60)),
      ...framer.push(mllpFrame('MSH|small')),
    ]
    expect(events.filter((e) => e.kind === 'oversized')).toEqual([{ kind: 'oversized', limit: 100 }])
    expect(frames(events)).toEqual(['MSH|small'])
    expect(framer.pendingBytes).toBe(0)
  })

  it('restarts on a start byte inside an unfinished frame, and reports the dropped bytes', () => {
    const framer = new MllpFramer()
    const events = framer.push(Buffer.concat([Buffer.from([0x0b]), Buffer.from('MSH|lost'), mllpFrame('MSH|kept')]))
    expect(frames(events)).toEqual(['MSH|kept'])
    expect(events).toContainEqual({ kind: 'abandoned', bytes: 8 })
  })

  it('delivers a frame that ends FS without CR at once, and the frame after it too', () => {
    const framer = new MllpFramer()
    // The sender waits for its ACK after FS: the frame must come out without the CR.
    const first = framer.push(Buffer.from('\x0bMSH|one\x1c'))
    expect(frames(first)).toEqual(['MSH|one'])
    // Its next frame follows straight on: both are kept, and the missing CR is reported.
    const next = framer.push(Buffer.from('\x0bMSH|two\x1c\x0bMSH|three\x1c\r'))
    expect(frames(next)).toEqual(['MSH|two', 'MSH|three'])
    expect(next.filter((e) => e.kind === 'missing-cr')).toHaveLength(2)
    expect(framer.pendingBytes).toBe(0)
  })
})

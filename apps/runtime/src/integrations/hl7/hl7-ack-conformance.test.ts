// Acknowledgements by the book (HL7 v2.5 chapter 2), one case per test, against the third-party
// samples (provenance beside them) routed by the example flows' own triggers: MSH-11 echoed,
// a CR after the last segment, ERR coded from table 0357 in the layout of the sender's version,
// header errors AR 101 with the trigger kept, unknown versions AR 203, a refused sender 103,
// MSH-18 echoed, original and enhanced modes (MSH-15/16), batches, and frames that hold two
// messages or end without CR.
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { flowDocumentSchema } from '@carepath/dsl'
import { hl7Sample } from '../testing/hl7-samples.ts'
import { createHl7HttpHandler } from './hl7-http.handler.ts'
import { createHl7Intake, type Hl7Intake, type RefusedMessage } from './hl7-intake.ts'
import { createHl7Routing } from './hl7-routing.ts'
import { createMemoryHl7Store, type Hl7MessageStore } from './hl7-store.ts'
import { MllpFramer } from './mllp-framer.ts'
import { sendMllp, startMllpListener, type MllpListener } from './mllp-listener.ts'

const examples = new URL('../../../../../examples/', import.meta.url)
const flows = ['lab-result-routing', 'hl7-entry/adt-registration-hl7', 'hl7-entry/appointment-booking-hl7'].map(
  (name) => flowDocumentSchema.parse(JSON.parse(readFileSync(new URL(`${name}.flow.json`, examples), 'utf8'))),
)

/** Segments of a message or ACK, each split into fields (MSH-n is fields[n - 1]). */
const segments = (text: string) =>
  text
    .split('\r')
    .filter(Boolean)
    .map((line) => line.split('|'))
const segment = (text: string, name: string) => segments(text).find((fields) => fields[0] === name) ?? []
const msh = (text: string, n: number) => segment(text, 'MSH')[n - 1] ?? ''
const msa = (text: string) => segment(text, 'MSA').slice(1, 3)
/** A sample with its MSH fields replaced (n → value), segments joined by CR. */
function edit(file: string, fields: Record<number, string>): string {
  const lines = hl7Sample(file)
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter(Boolean)
  const header = lines[0]!.split('|')
  for (const [n, value] of Object.entries(fields)) {
    while (header.length < Number(n)) header.push('')
    header[Number(n) - 1] = value
  }
  return [header.join('|'), ...lines.slice(1)].join('\r')
}

const refused: RefusedMessage[] = []
function intakeWith(store: Hl7MessageStore = createMemoryHl7Store()): Hl7Intake {
  return createHl7Intake({
    store,
    acceptRun: createHl7Routing({
      registry,
      publishedFlows: () => flows,
      startRun: async (flowId, _input, key) => ({ id: `${flowId}:${key}` }),
    }),
    now: () => new Date('2026-03-01T10:00:00Z'),
    onRefused: (message) => void refused.push(message),
  })
}
let listener: MllpListener | undefined
afterEach(async () => {
  refused.splice(0)
  await listener?.close()
  listener = undefined
})

describe('the ACK header', () => {
  it('echoes the sender’s processing id (MSH-11): T, D and P each come back as sent', async () => {
    const intake = intakeWith()
    const training = await intake(hl7Sample('msft-LAB-ORU-1.hl7'), 'mllp')
    const debugging = await intake(hl7Sample('simplehl7_adt.hl7'), 'mllp')
    const production = await intake(hl7Sample('msft-ADT-A04-01.hl7'), 'mllp')
    expect([training, debugging, production].map((r) => [r.code, msh(r.ack, 11)])).toEqual([
      ['AA', 'T'],
      ['AA', 'D'],
      ['AA', 'P'],
    ])
  })

  it('ends every segment with CR, the last one included', async () => {
    const ack = (await intakeWith()(hl7Sample('msft-LAB-ORU-1.hl7'), 'mllp')).ack
    expect(ack.endsWith('\r')).toBe(true)
    expect(ack.split('\r')).toHaveLength(3) // MSH, MSA, and the empty string after the final CR
  })

  it('sets MSH-18 when the message declared UTF-8, and leaves it out when it declared nothing', async () => {
    const intake = intakeWith()
    const utf8 = await intake(edit('msft-ADT-A04-01.hl7', { 18: 'UNICODE UTF-8' }), 'mllp')
    expect(msh(utf8.ack, 18)).toBe('UNICODE UTF-8')
    const plain = await intake(hl7Sample('msft-LAB-ORU-1.hl7'), 'mllp')
    expect(segment(plain.ack, 'MSH')).toHaveLength(12)
  })

  it('gives the same ACK, byte for byte, to the same message at the same time', async () => {
    const first = await intakeWith()(hl7Sample('msft-VXU-V04-01.hl7'), 'mllp')
    const second = await intakeWith()(hl7Sample('msft-VXU-V04-01.hl7'), 'mllp')
    expect(second.ack).toBe(first.ack)
  })
})

describe('refusals coded from table 0357', () => {
  it('codes ERR-3 as code^text^HL70357 with the location in ERR-2 (v2.5 and later)', async () => {
    const result = await intakeWith()(hl7Sample('msft-VXU-V04-01.hl7'), 'mllp')
    expect(msa(result.ack)).toEqual(['AR', msh(edit('msft-VXU-V04-01.hl7', {}), 10)])
    expect(segment(result.ack, 'ERR').slice(1, 5)).toEqual(['', 'MSH^1^9', '200^Unsupported message type^HL70357', 'E'])
  })

  it('answers a missing MSH-9, MSH-10 or MSH-12 with AR 101, keeping the trigger in the ACK’s MSH-9', async () => {
    const intake = intakeWith()
    const noType = await intake(edit('msft-ADT-A04-01.hl7', { 9: '' }), 'mllp')
    const noControlId = await intake(edit('msft-ADT-A04-01.hl7', { 9: 'ADT^A01', 10: '' }), 'mllp')
    const noVersion = await intake(edit('msft-ADT-A04-01.hl7', { 12: '' }), 'mllp')
    expect(msa(noType.ack)[0]).toBe('AR')
    expect(segment(noType.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^9', '101^Required field missing^HL70357'])
    expect(msh(noControlId.ack, 9)).toBe('ACK^A01^ACK')
    expect(segment(noControlId.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^10', '101^Required field missing^HL70357'])
    expect(msh(noVersion.ack, 9)).toBe('ACK^A04^ACK')
    expect(msa(noVersion.ack)).toEqual(['AR', msh(edit('msft-ADT-A04-01.hl7', {}), 10)])
    expect(segment(noVersion.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^12', '101^Required field missing^HL70357'])
  })

  it('refuses a version it does not know (2.9.9) with AR 203, starting nothing', async () => {
    const result = await intakeWith()(edit('msft-ADT-A04-01.hl7', { 12: '2.9.9' }), 'mllp')
    expect(result).toMatchObject({ code: 'AR', runIds: [] })
    expect(segment(result.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^12', '203^Unsupported version id^HL70357'])
    expect(refused.map((r) => r.reasonCode)).toEqual(['unreadable'])
  })

  it('refuses a sender no flow lists with 103 at MSH-3 (not 200 or 207), and an event no flow takes with 201', async () => {
    const intake = intakeWith()
    const sender = await intake(hl7Sample('msft-ORU-R01-01.hl7'), 'http')
    expect(segment(sender.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^3', '103^Table value not found^HL70357'])
    const event = await intake(edit('msft-ADT-A04-01.hl7', { 9: 'ADT^A08^ADT_A01' }), 'http')
    expect(segment(event.ack, 'ERR').slice(2, 4)).toEqual(['MSH^1^9', '201^Unsupported event code^HL70357'])
  })

  it('gives a v2.3 sender the ERR layout of its version: ERR-1 as segment^sequence^field^code&text&HL70357', async () => {
    // simplehl7_oru.hl7 is v2.3; sent here by an application no flow lists.
    const result = await intakeWith()(edit('simplehl7_oru.hl7', { 3: 'OTHERLAB' }), 'mllp')
    expect(msh(result.ack, 12)).toBe('2.3')
    expect(segment(result.ack, 'ERR')).toEqual(['ERR', 'MSH^1^3^103&Table value not found&HL70357'])
  })

  it('answers a frame holding two messages with AR 100 naming the second header, and keeps it whole', async () => {
    const two = `${edit('msft-ADT-A04-01.hl7', {})}\r${edit('msft-LAB-ORU-1.hl7', {})}`
    const result = await intakeWith()(two, 'mllp')
    expect(result.code).toBe('AR')
    expect(segment(result.ack, 'ERR')[3]).toBe('100^Segment sequence error^HL70357')
    expect(msa(result.ack)[1]).toBe(msh(two, 10))
    expect(refused[0]!.raw).toContain('ORU^R01')
  })
})

describe('acknowledgement modes (MSH-15/16)', () => {
  const replies = async (accept: string, app: string, file = 'msft-ADT-A04-01.hl7') =>
    (await intakeWith()(edit(file, { 15: accept, 16: app }), 'mllp')).replies.map((ack) => msa(ack)[0])

  it('original mode (both empty): one application ACK', async () => {
    expect(await replies('', '')).toEqual(['AA'])
    expect(await replies('', '', 'msft-VXU-V04-01.hl7')).toEqual(['AR'])
  })

  it('enhanced AL/NE: the commit ACK (CA) only, whatever the application outcome', async () => {
    expect(await replies('AL', 'NE')).toEqual(['CA'])
    expect(await replies('AL', 'NE', 'msft-VXU-V04-01.hl7')).toEqual(['CA'])
  })

  it('enhanced AL/AL: CA then the application ACK', async () => {
    expect(await replies('AL', 'AL')).toEqual(['CA', 'AA'])
    expect(await replies('AL', 'AL', 'msft-VXU-V04-01.hl7')).toEqual(['CA', 'AR'])
  })

  it('enhanced NE/NE: nothing goes back (the third-party ADT^A40 asks for this), yet the run starts', async () => {
    const result = await intakeWith()(hl7Sample('msft-ADT-A40-01.hl7'), 'mllp')
    expect(result.replies).toEqual([])
    expect(result.runIds).toHaveLength(1)
  })

  it('enhanced ER/ER: only refusals are acknowledged', async () => {
    expect(await replies('ER', 'ER')).toEqual([])
    expect(await replies('ER', 'ER', 'msft-VXU-V04-01.hl7')).toEqual(['AR'])
  })

  it('enhanced SU/SU: only successes are acknowledged', async () => {
    expect(await replies('SU', 'SU')).toEqual(['CA', 'AA'])
    expect(await replies('SU', 'SU', 'msft-VXU-V04-01.hl7')).toEqual(['CA'])
  })

  it('enhanced: CR for a header it cannot take, CE when the message could not be stored', async () => {
    const rejected = await intakeWith()(edit('msft-ADT-A04-01.hl7', { 12: '2.9.9', 15: 'AL', 16: 'AL' }), 'mllp')
    expect(rejected.replies.map((ack) => msa(ack)[0])).toEqual(['CR'])
    expect(segment(rejected.replies[0]!, 'ERR')[3]).toBe('203^Unsupported version id^HL70357')
    const failing: Hl7MessageStore = { save: () => Promise.reject(new Error('disk full')), settle: async () => {} }
    const notStored = await intakeWith(failing)(edit('msft-ADT-A04-01.hl7', { 15: 'AL', 16: 'AL' }), 'mllp')
    expect(notStored.replies.map((ack) => msa(ack)[0])).toEqual(['CE'])
    expect(segment(notStored.replies[0]!, 'ERR')[3]).toBe('207^Application internal error^HL70357')
  })
  it('does not answer an acknowledgement that comes in (a sender’s commit ACK of our application ACK)', async () => {
    const store = createMemoryHl7Store()
    const result = await intakeWith(store)(
      'MSH|^~\\&|ADTApp|F|CAREPATH|F|20260301||ACK^A04^ACK|C1|P|2.5.1\rMSA|CA|A123\r',
      'mllp',
    )
    expect(result.replies).toEqual([])
    expect(store.messages.size).toBe(0)
    expect(refused).toEqual([])
  })
})

describe('framing over MLLP', () => {
  const open = async () => {
    listener = await startMllpListener({ port: 0, intake: intakeWith() })
    return listener.port
  }
  /** Write raw bytes on one connection and collect `count` ACK frames. */
  const exchange = (port: number, bytes: Buffer, count: number) =>
    new Promise<string[]>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes))
      const framer = new MllpFramer()
      const acks: string[] = []
      socket.on('data', (chunk: Buffer) => {
        for (const event of framer.push(chunk)) if (event.kind === 'frame') acks.push(event.payload.toString('utf8'))
        if (acks.length >= count) socket.end(() => resolve(acks))
      })
      socket.on('error', reject)
    })

  it('answers a batch (BHS…BTS) with one batch of ACKs, one per message, in order', async () => {
    const a = edit('msft-ADT-A04-01.hl7', {})
    const b = edit('msft-VXU-V04-01.hl7', {})
    const batch = `BHS|^~\\&|ADTApp|F|EHR|F|20260301||||BATCH7\r${a}\r${b}\rBTS|2\r`
    const [reply] = await sendMllp(await open(), [batch])
    const names = segments(reply!).map((fields) => fields[0])
    expect(names).toEqual(['BHS', 'MSH', 'MSA', 'MSH', 'MSA', 'ERR', 'BTS'])
    expect(segment(reply!, 'BHS')[11]).toBe('BATCH7') // BHS-12: the batch it answers
    expect(
      segments(reply!)
        .filter((f) => f[0] === 'MSA')
        .map((f) => f[1]),
    ).toEqual(['AA', 'AR'])
    expect(segment(reply!, 'BTS')[1]).toBe('2')
  })

  it('answers a file (FHS BHS…BTS FTS) with FHS and FTS around the batch of ACKs', async () => {
    const a = edit('msft-ADT-A04-01.hl7', {})
    const file = `FHS|^~\\&|ADTApp|F|EHR|F|20260301||||FILE1\rBHS|^~\\&|ADTApp|F|EHR|F|20260301||||B1\r${a}\rBTS|1\rFTS|1\r`
    const [reply] = await sendMllp(await open(), [file])
    expect(segments(reply!).map((fields) => fields[0])).toEqual(['FHS', 'BHS', 'MSH', 'MSA', 'BTS', 'FTS'])
    expect(reply!.endsWith('\r')).toBe(true)
  })

  it('acknowledges a frame that ends FS without CR, and the frame that follows it on the same write', async () => {
    const port = await open()
    const first = edit('msft-ADT-A04-01.hl7', {})
    const second = edit('msft-LAB-ORU-1.hl7', {})
    const lone = await exchange(port, Buffer.from(`\x0b${first}\x1c`), 1)
    expect(msa(lone[0]!)).toEqual(['AA', msh(first, 10)])
    const both = await exchange(port, Buffer.from(`\x0b${first}\x1c\x0b${second}\x1c\r`), 2)
    expect(both.map((ack) => msa(ack)[1])).toEqual([msh(first, 10), msh(second, 10)])
  })
})

describe('over HTTP', () => {
  const post = async (body: string) => {
    const server = createHttpServer(createHl7HttpHandler({ intake: intakeWith() }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const address = server.address()
    const port = address !== null && typeof address === 'object' ? address.port : 0
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { connection: 'close' } })
      return { status: res.status, text: await res.text() }
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  }

  it('answers every request with its application ACK, even one whose MSH-15/16 say NE (HTTP has one answer)', async () => {
    const { status, text } = await post(hl7Sample('msft-ADT-A40-01.hl7'))
    expect(status).toBe(200)
    expect(msa(text)[0]).toBe('AA')
  })

  it('answers a batch with its batch of ACKs, with the status of the worst (422 when one is AR)', async () => {
    const batch = `BHS|^~\\&|ADTApp|F|EHR|F|20260301||||B9\r${edit('msft-ADT-A04-01.hl7', {})}\r${edit('msft-VXU-V04-01.hl7', {})}\rBTS|2\r`
    const { status, text } = await post(batch)
    expect(status).toBe(422)
    expect(segments(text).map((fields) => fields[0])).toEqual(['BHS', 'MSH', 'MSA', 'MSH', 'MSA', 'ERR', 'BTS'])
  })
})

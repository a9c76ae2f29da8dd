// A loopback payer for tests that speaks the real formats: it parses the 270 it gets (node-x12,
// strict) and answers a 271 built with node-x12's generator; or it reads a FHIR
// CoverageEligibilityRequest and answers a CoverageEligibilityResponse. Members are a table the
// test gives; `mode` makes it unavailable (AAA 42 / OperationOutcome), hang, or talk nonsense.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { JSEDINotation, X12Generator, X12Parser, type X12Interchange, type X12Segment } from 'node-x12'
import { X12_REJECT_SYSTEM } from '../payer/eligibility.schema.ts'

export interface StubMember {
  lastName: string
  birthDate: string
  active: boolean
  plan: string
  copay: number
  deductible: number
  deductibleRemaining: number
}

export interface PayerStub {
  url: string
  members: Map<string, StubMember>
  mode: 'normal' | 'unavailable' | 'hang' | 'garbage'
  /** Raw bodies received, in order. */
  received: string[]
  close(): Promise<void>
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of req) parts.push(chunk as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

const v = (s: X12Segment | undefined, i: number) => s?.valueOf(i, '') ?? ''

function answer271(request: string, stub: PayerStub): string {
  const interchange = new X12Parser(true).parse(request) as X12Interchange
  const segments = interchange.functionalGroups[0]!.transactions[0]!.segments
  const find = (tag: string, q?: string) => segments.find((s) => s.tag === tag && (q === undefined || v(s, 1) === q))
  const subscriber = find('NM1', 'IL')
  const trn = find('TRN')
  const dmg = find('DMG')
  const h = interchange.header
  const jsen = new JSEDINotation([
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    'ZZ',
    v(h, 8).padEnd(15),
    'ZZ',
    v(h, 6).padEnd(15),
    v(h, 9),
    v(h, 10),
    '^',
    '00501',
    v(h, 13),
    '0',
    'P',
    ':',
  ])
  const group = jsen.addFunctionalGroup([
    'HB',
    v(interchange.functionalGroups[0]!.header, 3),
    v(interchange.functionalGroups[0]!.header, 2),
    v(interchange.functionalGroups[0]!.header, 4),
    v(interchange.functionalGroups[0]!.header, 5),
    v(interchange.functionalGroups[0]!.header, 6),
    'X',
    '005010X279A1',
  ])
  const tx = group.addTransaction(['271', '0001', '005010X279A1'])
  tx.addSegment('BHT', ['0022', '11', v(find('BHT'), 3), v(find('BHT'), 4), v(find('BHT'), 5)])
  tx.addSegment('HL', ['1', '', '20', '1'])
  tx.addSegment('NM1', ['PR', '2', v(find('NM1', 'PR'), 3), '', '', '', '', 'PI', v(find('NM1', 'PR'), 9)])
  if (stub.mode === 'unavailable') {
    tx.addSegment('AAA', ['N', '', '42', 'R'])
  } else {
    tx.addSegment('HL', ['2', '1', '21', '1'])
    tx.addSegment('NM1', ['1P', '2', v(find('NM1', '1P'), 3), '', '', '', '', 'XX', v(find('NM1', '1P'), 9)])
    tx.addSegment('HL', ['3', '2', '22', '0'])
    tx.addSegment('TRN', ['2', v(trn, 2), v(trn, 3)])
    tx.addSegment('NM1', ['IL', '1', v(subscriber, 3), v(subscriber, 4), '', '', '', 'MI', v(subscriber, 9)])
    const member = stub.members.get(v(subscriber, 9))
    if (!member) {
      tx.addSegment('AAA', ['Y', '', '72', 'C'])
    } else if (member.birthDate.replaceAll('-', '') !== v(dmg, 2)) {
      tx.addSegment('AAA', ['Y', '', '71', 'C'])
    } else {
      tx.addSegment('DMG', ['D8', v(dmg, 2)])
      tx.addSegment('EB', [member.active ? '1' : '6', 'IND', '30', 'HM', member.plan])
      if (member.active) {
        tx.addSegment('EB', ['B', 'IND', '30', 'HM', '', '27', String(member.copay)])
        tx.addSegment('EB', ['C', 'IND', '30', 'HM', '', '23', String(member.deductible)])
        tx.addSegment('EB', ['C', 'IND', '30', 'HM', '', '29', String(member.deductibleRemaining)])
      }
    }
  }
  return new X12Generator(jsen, { segmentTerminator: '~', elementDelimiter: '*' } as never).toString()
}

// Requests are read as loose JSON; a malformed one makes the stub answer 400 (caught below).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>

function answerFhir(request: Obj, stub: PayerStub): Obj {
  const contained: Obj[] = Array.isArray(request['contained']) ? request['contained'] : []
  const coverage = contained.find((r) => r['resourceType'] === 'Coverage')
  const patient = contained.find((r) => r['resourceType'] === 'Patient')
  const requestId = request['identifier']?.[0]?.['value']
  const base: Obj = {
    resourceType: 'CoverageEligibilityResponse',
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { display: 'member' },
    created: request['created'],
    request: { identifier: { system: 'urn:carepath:eligibility-request', value: requestId } },
    insurer: { display: 'Stub payer' },
  }
  const reject = (code: string) => ({
    ...base,
    outcome: 'error',
    error: [{ code: { coding: [{ system: X12_REJECT_SYSTEM, code }] } }],
  })
  if (stub.mode === 'unavailable') return reject('42')
  const member = stub.members.get(coverage?.['subscriberId'])
  if (!member) return reject('72')
  if (member.birthDate !== patient?.['birthDate']) return reject('71')
  const money = (value: number) => ({ value, currency: 'USD' })
  return {
    ...base,
    outcome: 'complete',
    insurance: [
      {
        coverage: { display: member.plan },
        inforce: member.active,
        item: member.active
          ? [
              {
                category: { coding: [{ system: 'https://x12.org/codes/service-type-codes', code: '30' }] },
                benefit: [
                  {
                    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/benefit-type', code: 'copay' }] },
                    allowedMoney: money(member.copay),
                  },
                  {
                    type: {
                      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/benefit-type', code: 'deductible' }],
                    },
                    allowedMoney: money(member.deductible),
                    usedMoney: money(member.deductible - member.deductibleRemaining),
                  },
                ],
              },
            ]
          : [],
      },
    ],
  }
}

export async function startPayerStub(members: Record<string, StubMember> = {}): Promise<PayerStub> {
  const stub: PayerStub = {
    url: '',
    members: new Map(Object.entries(members)),
    mode: 'normal',
    received: [],
    close: async () => {},
  }
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req)
      stub.received.push(body)
      if (stub.mode === 'hang') return
      if (stub.mode === 'garbage')
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Service temporarily moved')
      if (req.url === '/x12') {
        try {
          res.writeHead(200, { 'content-type': 'application/edi-x12' }).end(answer271(body, stub))
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('Not a valid 270')
        }
        return
      }
      if (req.url === '/fhir/CoverageEligibilityRequest/$submit') {
        let request: Obj
        try {
          request = JSON.parse(body)
        } catch {
          return void res.writeHead(400).end()
        }
        if (request['resourceType'] !== 'CoverageEligibilityRequest') return void res.writeHead(400).end()
        return void res
          .writeHead(200, { 'content-type': 'application/fhir+json' })
          .end(JSON.stringify(answerFhir(request, stub)))
      }
      res.writeHead(404).end()
    })().catch(() => {
      if (!res.headersSent) res.writeHead(400).end()
    })
  })
  // Idle connections stay open until close(): with Node's 5 s default the stub could drop one
  // that a client busy for seconds (FHIR validation on a loaded machine) is about to reuse.
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return stub
}

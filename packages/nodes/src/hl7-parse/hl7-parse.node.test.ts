import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { hl7Parse } from './hl7-parse.node.ts'
import { parseHl7, unescapeHl7 } from './hl7-to-facts.ts'
import { hl7DateToIso } from './hl7-summary.ts'

const fixtures = new URL('./fixtures/', import.meta.url)
const sample = (name: string) => readFileSync(new URL(name, fixtures), 'utf8')
const config = hl7Parse.config.parse({ from: 'inbound.raw', into: 'message' })

describe('hl7.parse', () => {
  it('parses every third-party sample with its type and control id', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.hl7'))
    expect(files.length).toBe(14)
    for (const file of files) {
      const facts = parseHl7(sample(file))
      expect(facts.type, file).toMatch(/^(ADT|ORU|ORM|SIU|REF|VXU)\^[A-Z]\d\d$/)
      expect(facts.controlId, file).not.toBe('')
      expect(facts.segments['MSH'], file).toHaveLength(1)
    }
  })

  it('gives ADT fields by name with repetitions and components kept', () => {
    const facts = parseHl7(sample('msft-ADT-A04-01.hl7'))
    const pid = facts.segments['PID']![0]!
    expect(pid['administrativeSex']).toBe('M')
    expect(pid['patientIdentifierList']).toEqual([
      ['PATID1234', '5', 'M11', ['test1', '2.16.1', 'HCD'], 'MR', 'GOOD HEALTH HOSPITAL'],
      ['123456789', '', '', 'USSSA', 'SS'],
    ])
    expect(facts.summary['patient']).toMatchObject({ mrn: 'PATID1234', family: 'EVERYMAN', given: 'ADAM', sex: 'M' })
    expect(facts.sendingApplication).toBe('ADTApp')
  })

  it('reads ORU results, SIU appointments and REF referrals into the summary', () => {
    const oru = parseHl7(sample('simplehl7_oru.hl7'))
    expect((oru.summary['results'] as unknown[]).length).toBe(oru.segments['OBX']!.length)
    expect(oru.summary['orders']).toEqual([
      expect.objectContaining({ service: expect.objectContaining({ code: 'JLPF' }) }),
    ])
    const siu = parseHl7(sample('msft-SIU-S12-01.hl7'))
    expect(siu.summary['appointment']).toMatchObject({ placerId: '12345' })
    const ref = parseHl7(sample('msft-REF-I12-01.hl7'))
    expect(ref.type).toBe('REF^I12')
    expect(ref.summary['referral']).toBeDefined()
  })

  it('honours custom delimiters from MSH-1/MSH-2 and decodes escapes', () => {
    const text =
      'MSH#*!$@#LAB#FAC#EHR#FAC#20250101120000##ORU*R01#C1#P#2.5\rPID#1##123*A@B*MR##SMITH*ANN##19800102#F\rOBX#1#ST#GLU##high $F$ low $S$ mid $.br$x$X41$'
    const facts = parseHl7(text)
    expect(facts.type).toBe('ORU^R01')
    expect(facts.summary['patient']).toMatchObject({ family: 'SMITH', given: 'ANN', birthDate: '1980-01-02' })
    expect(facts.segments['PID']![0]!['patientIdentifierList']).toEqual([['123', ['A', 'B'], 'MR']])
    expect(facts.segments['OBX']![0]!['observationValue']).toBe('high # low * mid \nxA')
    expect(
      unescapeHl7('a\\T\\b\\R\\c\\E\\', {
        field: '|',
        component: '^',
        repetition: '~',
        escape: '\\',
        subcomponent: '&',
      }),
    ).toBe('a&b~c\\')
  })

  it('converts HL7 timestamps to ISO', () => {
    expect(hl7DateToIso('19620131')).toBe('1962-01-31')
    expect(hl7DateToIso('202501021530+0100')).toBe('2025-01-02T15:30:00+01:00')
    expect(hl7DateToIso('not a date')).toBe('not a date')
  })

  it('writes the parsed message into the facts', async () => {
    const ctx = createFakeContext({ facts: { inbound: { raw: sample('simplehl7_adt.hl7') } } })
    const outcome = await hl7Parse.execute(ctx, config)
    expect(outcome).toMatchObject({
      kind: 'next',
      port: 'parsed',
      set: { message: { type: 'ADT^A04', controlId: '1817457' } },
    })
  })

  it.each([
    ['truncated inside MSH', 'MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|199912271408|CHARRIS|ADT^A04', 'control id (MSH-10)'],
    [
      'cut before the version',
      'MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|199912271408|CHARRIS|ADT^A04|1817457|D',
      'version (MSH-12)',
    ],
    ['no header', 'PID|||12345||DOE^JOHN', 'header segment'],
    ['garbled segment', 'MSH|^~\\&|A|B|C|D|2025||ADT^A04|1|P|2.5\rPI|x', 'Segment 2'],
    ['no delimiters', 'MSH|^|A', 'MSH-2'],
  ])('refuses a message %s with a NodeError naming the place, not the value', async (_, raw, reason) => {
    const ctx = createFakeContext({ facts: { inbound: { raw } } })
    let error: unknown
    try {
      await hl7Parse.execute(ctx, config)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(NodeError)
    expect((error as NodeError).message).toContain(reason)
    expect((error as NodeError).message).not.toMatch(/DOE|EPICADT|1817457/)
  })
})

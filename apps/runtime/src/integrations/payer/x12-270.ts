// Build a 005010X279A1 270 eligibility inquiry with node-x12's generator (it writes SE/GE/IEA
// counts and control numbers consistently).
import { NodeError } from '@carepath/dsl'
import { JSEDINotation, X12Generator } from 'node-x12'
import type { PayerSettings } from '../settings.schema.ts'
import type { EligibilityInquiry } from './eligibility.schema.ts'

type X12Settings = NonNullable<PayerSettings['x12']>

export interface Built270 {
  text: string
  /** TRN02 of the subscriber loop: the 271 must echo it. */
  trace: string
  controlNumber: string
}

const pad = (value: string, width: number) => value.slice(0, width).padEnd(width, ' ')
/** X12 text may not hold its own delimiters; names are upper-cased as payers expect. */
const clean = (value: string, max: number) =>
  value
    .toUpperCase()
    .replace(/[*~:^>|]/g, ' ')
    .trim()
    .slice(0, max)

export function build270(
  inquiry: EligibilityInquiry,
  settings: X12Settings,
  ids: { controlNumber: number; trace: string },
  at: Date,
): Built270 {
  const iso = at.toISOString()
  const date8 = iso.slice(0, 10).replaceAll('-', '')
  const time4 = iso.slice(11, 16).replace(':', '')
  const control = String(ids.controlNumber).padStart(9, '0')
  const jsen = new JSEDINotation([
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    'ZZ',
    pad(settings.senderId, 15),
    'ZZ',
    pad(settings.receiverId, 15),
    date8.slice(2),
    time4,
    '^',
    '00501',
    control,
    '0',
    'P',
    ':',
  ])
  const group = jsen.addFunctionalGroup([
    'HS',
    settings.senderId,
    settings.receiverId,
    date8,
    time4,
    String(ids.controlNumber),
    'X',
    '005010X279A1',
  ])
  const tx = group.addTransaction(['270', '0001', '005010X279A1'])
  tx.addSegment('BHT', ['0022', '13', ids.trace, date8, time4])
  tx.addSegment('HL', ['1', '', '20', '1'])
  tx.addSegment('NM1', ['PR', '2', clean(settings.payerName, 60), '', '', '', '', 'PI', settings.payerId])
  tx.addSegment('HL', ['2', '1', '21', '1'])
  tx.addSegment('NM1', ['1P', '2', clean(settings.providerName, 60), '', '', '', '', 'XX', settings.providerNpi])
  tx.addSegment('HL', ['3', '2', '22', '0'])
  tx.addSegment('TRN', ['1', ids.trace, `9${settings.senderId.replace(/\D/g, '').padEnd(9, '0').slice(0, 9)}`])
  tx.addSegment('NM1', [
    'IL',
    '1',
    clean(inquiry.member.lastName, 60),
    clean(inquiry.member.firstName ?? '', 35),
    '',
    '',
    '',
    'MI',
    clean(inquiry.member.id, 80),
  ])
  tx.addSegment('DMG', ['D8', inquiry.member.birthDate.replaceAll('-', '')])
  tx.addSegment('DTP', ['291', 'D8', inquiry.asOf.replaceAll('-', '')])
  tx.addSegment('EQ', [inquiry.serviceType])
  let text: string
  try {
    text = new X12Generator(jsen, { segmentTerminator: '~', elementDelimiter: '*' } as never).toString()
  } catch {
    // The generator's message quotes the offending value, which may be patient data.
    throw new NodeError(
      'The 270 inquiry could not be built: a value breaks the X12 element rules (check the payer settings).',
      { code: 'invalid-request', retryable: false },
    )
  }
  return { text, trace: ids.trace, controlNumber: control }
}

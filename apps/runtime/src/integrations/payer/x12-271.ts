// Read a 271 eligibility response (node-x12's parser; strict mode checks SE/GE/IEA counts) into
// the normalised answer: AAA segments → rejections; EB segments → active/inactive, plan, copay,
// deductible (EB06 29 = remaining).
import { NodeError } from '@carepath/dsl'
import { X12Parser, type X12Interchange, type X12Segment } from 'node-x12'
import { rejection, type EligibilityAnswer } from './eligibility.schema.ts'

const invalid = (detail: string) =>
  new NodeError(`The payer's answer is not a valid X12 271: ${detail}`, { code: 'invalid-response', retryable: false })

function parseInterchange(text: string, strict: boolean): X12Interchange {
  let parsed: unknown
  try {
    parsed = new X12Parser(strict).parse(text.trim())
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    // Count mismatches name numbers only; other parser messages may quote content, so they stay out.
    const counts = /The value in (SE01|GE01|IEA01) \(\d+\) does not match the number of [a-z ]+ \(\d+\)/.exec(message)
    throw invalid(counts ? `${counts[0]}.` : 'it cannot be parsed.')
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== 1) throw invalid('it holds more than one interchange.')
    parsed = parsed[0]
  }
  return parsed as X12Interchange
}

const value = (segment: X12Segment, position: number) => segment.valueOf(position, '') ?? ''

function amount(text: string): number | null {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null
}

/** Normalise a 271. `trace` is the TRN02 sent in the 270; an answer to another inquiry is refused. */
export function read271(
  text: string,
  options: { strict: boolean; trace?: string; serviceType?: string },
): EligibilityAnswer {
  if (!text.trim().startsWith('ISA')) throw invalid('it does not start with an ISA header.')
  const interchange = parseInterchange(text, options.strict)
  const transaction = interchange.functionalGroups[0]?.transactions[0]
  if (!transaction) throw invalid('it holds no transaction.')
  if (transaction.header.valueOf(1) !== '271')
    throw invalid(`it is a ${transaction.header.valueOf(1) ?? 'unknown'} transaction, not a 271.`)
  const segments = transaction.segments
  const rejections = segments.filter((s) => s.tag === 'AAA').map((s) => rejection(value(s, 3)))
  if (options.trace !== undefined) {
    // A payer-level rejection (AAA in loop 2100A) comes without the subscriber loop and its TRN.
    const traces = segments.filter((s) => s.tag === 'TRN').map((s) => value(s, 2))
    if (traces.length > 0 ? !traces.includes(options.trace) : rejections.length === 0) {
      throw invalid('it does not answer this inquiry (trace number differs).')
    }
  }
  const answer: EligibilityAnswer = {
    status: 'rejected',
    plan: null,
    copay: null,
    deductible: null,
    deductibleRemaining: null,
    rejections,
  }
  if (rejections.length > 0) return answer
  const benefits = segments.filter((s) => s.tag === 'EB')
  const forService = (s: X12Segment) =>
    !options.serviceType || value(s, 3) === '' || value(s, 3).split('^').includes(options.serviceType)
  const active = benefits.find((s) => value(s, 1) === '1')
  const inactive = benefits.find((s) => ['6', '7', '8'].includes(value(s, 1)))
  if (!active && !inactive) throw invalid('it states neither coverage nor a rejection.')
  answer.status = active ? 'active' : 'inactive'
  answer.plan = value((active ?? inactive)!, 5) || null
  const copay = benefits.find((s) => value(s, 1) === 'B' && forService(s) && amount(value(s, 7)) !== null)
  answer.copay = copay ? amount(value(copay, 7)) : null
  const deductibles = benefits.filter((s) => value(s, 1) === 'C' && amount(value(s, 7)) !== null)
  const total = deductibles.find((s) => value(s, 6) !== '29')
  const remaining = deductibles.find((s) => value(s, 6) === '29')
  answer.deductible = total ? amount(value(total, 7)) : null
  answer.deductibleRemaining = remaining ? amount(value(remaining, 7)) : null
  return answer
}

// parseHl7 splits segments itself; @medplum/core's Hl7Segment, which it split them with before,
// stays the reference: every field of every sample, and of generated messages full of delimiters,
// escapes, empty fields and odd delimiter sets, must come out the same.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hl7Context, Hl7Segment, type Hl7Field } from '@medplum/core'
import { describe, expect, it } from 'vitest'
import { fieldName } from './hl7-field-names.ts'
import { parseHl7, unescapeHl7, type Hl7Delimiters } from './hl7-to-facts.ts'
import type { Hl7Component, Hl7FieldValue, Hl7SegmentFacts } from './hl7-values.ts'
import { seededRandom as random } from '../testing/seeded-random.ts'

/** The segments' facts as the parser built them from Medplum's objects. */
function throughMedplum(input: string): Record<string, Hl7SegmentFacts[]> {
  const text = input.replace(/^\uFEFF/, '').replace(/^[\s\x0b]+|[\s\x1c]+$/g, '')
  const field = text.charAt(3)
  const encoding = text.slice(4, text.indexOf(field, 4))
  const d: Hl7Delimiters = {
    field,
    component: encoding[0]!,
    repetition: encoding[1]!,
    escape: encoding[2]!,
    subcomponent: encoding[3] ?? '&',
  }
  const context = new Hl7Context('\r', d.field, d.component, d.repetition, d.escape, d.subcomponent)
  const segments: Record<string, Hl7SegmentFacts[]> = {}
  for (const line of text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '')) {
    const segment = Hl7Segment.parse(line, context)
    const facts: Hl7SegmentFacts = {}
    const first = segment.name === 'MSH' ? 3 : 1
    const count = segment.name === 'MSH' ? segment.fields.length + 1 : segment.fields.length
    for (let index = first; index < count; index++) {
      const value = medplumFieldValue(segment.getField(index), d)
      if (value !== undefined) facts[fieldName(segment.name, index)] = value
    }
    ;(segments[segment.name] ??= []).push(facts)
  }
  return segments
}

function medplumFieldValue(field: Hl7Field, d: Hl7Delimiters): Hl7FieldValue | undefined {
  const repetitions = field.components.map((components) =>
    components.map((component): Hl7Component => {
      const parts = component.split(d.subcomponent).map((part) => unescapeHl7(part, d))
      return parts.length === 1 ? parts[0]! : parts
    }),
  )
  while (repetitions.length > 0 && repetitions.at(-1)!.every((c) => c === '')) repetitions.pop()
  if (repetitions.length === 0) return undefined
  for (const repetition of repetitions) while (repetition.length > 1 && repetition.at(-1) === '') repetition.pop()
  const only = repetitions[0]!
  if (repetitions.length === 1 && only.length === 1 && typeof only[0] === 'string') return only[0]
  return repetitions
}

const samples = (dir: string) =>
  readdirSync(fileURLToPath(new URL(dir, import.meta.url)))
    .filter((file) => file.endsWith('.hl7'))
    .map((file) => [file, readFileSync(fileURLToPath(new URL(`${dir}/${file}`, import.meta.url)), 'utf8')] as const)

const DELIMITER_SETS = ['|^~\\&', '|^~\\&#', '#*!/%', '|^~\\', '$]-.^']

/** A message with the header a parser needs, then segments of fields made of text, delimiters and escapes. */
function generatedMessage(seed: number): string {
  const next = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const set = pick(DELIMITER_SETS)
  const [field, component, repetition, escape] = [...set] as [string, string, string, string]
  const subcomponent = set[4] === '#' || set.length < 5 ? '&' : set[4]!
  const pieces = [
    'A',
    'b',
    '7',
    ' ',
    '',
    component,
    repetition,
    subcomponent,
    escape,
    `${escape}F${escape}`,
    `${escape}X41${escape}`,
    '&',
    '^',
  ]
  const text = () =>
    Array.from({ length: Math.floor(next() * 6) }, () => pick(pieces))
      .join('')
      .replaceAll(field, '')
  const fields = (count: number) => Array.from({ length: count }, text).join(field)
  const header = `MSH${field}${set.slice(1)}${field}APP${field}FAC${field}${fields(4)}${field}ADT${component}A04${field}C${seed}${field}P${field}2.5.1${field}${fields(3)}`
  const segments = Array.from(
    { length: 1 + Math.floor(next() * 4) },
    () => `${pick(['PID', 'PV1', 'OBX', 'ZZ1', 'NK1'])}${field}${fields(1 + Math.floor(next() * 12))}`,
  )
  return [header, ...segments].join(pick(['\r', '\n', '\r\n']))
}

describe('parseHl7 against @medplum/core', () => {
  const all = [...samples('./fixtures'), ...samples('../../../../examples/samples/hl7')]

  it.each(all)('reads %s field for field as Medplum splits it', (_name, text) => {
    expect(parseHl7(text).segments).toEqual(throughMedplum(text))
  })

  it('reads 2,000 generated messages with odd delimiters, escapes and empty fields the same', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const text = generatedMessage(seed)
      expect(parseHl7(text).segments, `generated message ${seed}`).toEqual(throughMedplum(text))
    }
  })
})

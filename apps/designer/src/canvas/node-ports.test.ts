import { describe, expect, it } from 'vitest'
import { newFlowDocument } from '../screens/new-flow-template.ts'
import { forbiddenShows, phiOf, portsOf } from './node-ports.ts'

describe('node ports and PHI marks', () => {
  const { facts, roles } = newFlowDocument('x', 'x', 'visit-scheduling')
  it('draws the ports a type offers for its config', () => {
    expect(
      portsOf('guide.question', {
        role: 'front-desk',
        question: 'Q?',
        shows: [],
        options: [
          { value: 'yes', label: 'Yes' },
          { value: 'later', label: 'Later' },
        ],
        into: 'visit.confirmed',
      }).map((p) => p.name),
    ).toEqual(['yes', 'later'])
  })
  it('keeps the ports of a config object, and draws an edited config (a new object) afresh', () => {
    const question = (options: string[]) => ({
      role: 'front-desk',
      question: 'Q?',
      shows: [],
      options: options.map((value) => ({ value, label: value })),
      into: 'visit.confirmed',
    })
    const config = question(['yes', 'no'])
    const first = portsOf('guide.question', config)
    expect(portsOf('guide.question', config)).toBe(first)
    expect(portsOf('guide.question', question(['yes', 'no', 'later'])).map((p) => p.name)).toEqual([
      'yes',
      'no',
      'later',
    ])
    // The same config read as another type is that type's ports, not the kept ones.
    expect(portsOf('end', config)).not.toBe(first)
  })
  it('marks a human step that shows a field its role may not see', () => {
    const config = {
      role: 'front-desk',
      question: 'Q?',
      shows: ['patient.firstName', 'coverage.memberId'],
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
      into: 'visit.confirmed',
    }
    expect(forbiddenShows('guide.question', config, facts, roles)).toEqual(['coverage.memberId'])
    expect(phiOf('guide.question', config, facts)).toEqual(['demographic', 'identifier'])
  })
})

import { describe, expect, it } from 'vitest'
import type { AuditItem } from '../api/carepath-api.ts'
import { list, whySentences } from './audit-why-words.ts'

/** What every record has; each test adds its action and why. */
const base: Pick<AuditItem['record'], 'resourceType' | 'recorded' | 'outcome' | 'agent' | 'entity'> = {
  resourceType: 'AuditEvent',
  recorded: '2026-03-01T09:00:00.000Z',
  outcome: 'success',
  agent: { who: 'reviewer', role: 'reviewer' },
  entity: { flow: 'eligibility-verification', hash: 'a'.repeat(64) },
}

describe('an audit record’s why in words', () => {
  it('lists words with commas and a final “and”', () => {
    expect([list([]), list(['a']), list(['a', 'b']), list(['a', 'b', 'c'])]).toEqual(['', 'a', 'a and b', 'a, b and c'])
  })

  it('says what a submission’s simulation counted, what the change touches and which sign-offs it needs', () => {
    const words = whySentences({
      ...base,
      action: 'review.submit',
      why: {
        review: 'r1',
        summary: { cases: 54, unchanged: 49, changed: 5, failed: 0, unexpected: 1 },
        footprint: ['threshold', 'phi-sent-outside'],
        signOffs: ['reviewer', 'compliance'],
      },
    })
    expect(words).toEqual([
      'The draft was submitted for review.',
      'The simulation ran 54 cases: 49 unchanged, 5 changed, 0 failed, 1 failed expectation.',
      'The change touches decision thresholds and patient data newly sent outside.',
      'It needs the sign-off of a reviewer and compliance.',
    ])
  })

  it('names the sign-off an approval gives and quotes the reviewer’s comment', () => {
    expect(
      whySentences({ ...base, action: 'review.approve', why: { comment: 'Thresholds agreed.', signOff: 'security' } }),
    ).toEqual(['Approved as the sign-off of the security owner.', 'Comment: “Thresholds agreed.”'])
    expect(
      whySentences({
        ...base,
        action: 'review.approve',
        outcome: 'failure',
        why: { reason: 'four eyes: the author may not review' },
      }),
    ).toEqual(['The approval was refused: four eyes: the author may not review.'])
  })

  it('gives an override’s written reason and the cases it lets through', () => {
    expect(
      whySentences({
        ...base,
        action: 'review.override',
        why: { reason: 'Payer confirmed the new copay.', cases: ['copay-50'] },
      }),
    ).toEqual([
      'May be published although a test case fails its expectation (“copay-50”).',
      'The reviewer’s reason: “Payer confirmed the new copay.”',
    ])
  })

  it('says which version a publication replaced, or what refused it', () => {
    expect(
      whySentences({
        ...base,
        action: 'review.publish',
        why: { reason: 'approved draft published', previous: 'b'.repeat(64) },
      }),
    ).toEqual(['Version aaaaaaaaaaaa was published, replacing bbbbbbbbbbbb.', 'Reason: approved draft published.'])
    expect(
      whySentences({
        ...base,
        action: 'review.publish',
        outcome: 'failure',
        why: { blockers: ['It needs the approval of someone who is not its author.'] },
      }),
    ).toEqual(['Publishing was refused:', 'It needs the approval of someone who is not its author.'])
  })

  it('reads a run step’s status, events and decisions as a sentence', () => {
    expect(
      whySentences({
        ...base,
        action: 'run.step',
        why: { events: 3, decisions: [], status: 'completed', outcome: 'verified' },
      }),
    ).toEqual(['The run is completed with outcome “verified”.', 'This step wrote 3 events and took no decision.'])
  })

  it('puts any other action’s fields in words, one per line', () => {
    expect(
      whySentences({
        ...base,
        action: 'settings.apply',
        why: { proposal: 'p1', revision: 4, pinsMoved: 2 },
        entity: {},
      }),
    ).toEqual(['Proposal: p1', 'Revision: 4', 'Pins moved: 2'])
    expect(whySentences({ ...base, action: 'task.claim', entity: {} })).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { clearanceProblems, queueSteps, unworkedQueueProblems, unworkedQueueWarnings } from './queue-steps.ts'
import type { PhiClass } from './phi.ts'
import { testRegistry } from './testing/test-registry.ts'

const document = {
  nodes: {
    start: { type: 'test.trigger', typeVersion: 1, config: {}, next: {} },
    ask: { type: 'test.ask', typeVersion: 1, title: 'Ask the pharmacist', config: { role: 'pharmacy' }, next: {} },
    desk: { type: 'test.ask', typeVersion: 1, config: { role: 'front-desk' }, next: {} },
    broken: { type: 'test.ask', typeVersion: 1, config: { role: '' }, next: {} },
  },
}

describe('queue steps', () => {
  it('lists the human steps with the queue each sends to, by title (configs that do not parse left to validation)', () => {
    expect(queueSteps(document, testRegistry)).toEqual([
      { nodeId: 'ask', title: 'Ask the pharmacist', queue: 'pharmacy' },
      { nodeId: 'desk', title: 'Test ask 2', queue: 'front-desk' },
    ])
  })

  it('warns on each step whose queue nobody works, on the step, in the same words as the review', () => {
    const worked = (queue: string) => queue === 'front-desk'
    const problems = unworkedQueueProblems(document, testRegistry, worked)
    expect(problems).toEqual([
      {
        severity: 'warning',
        code: 'queue-unworked',
        nodeId: 'ask',
        path: 'nodes.ask.config.role',
        message:
          'The step "Ask the pharmacist" sends its tasks to the queue "pharmacy", which nobody works yet: an admin adds people to it under Users and queues.',
      },
    ])
    expect(unworkedQueueWarnings(document, testRegistry, worked)).toEqual(problems.map((p) => p.message))
    expect(unworkedQueueProblems(document, testRegistry, () => true)).toEqual([])
  })

  it('warns on each role asking for PHI classes beyond its queue’s clearance, in plain words', () => {
    const roles = {
      benefits: { phi: ['none' as const, 'demographic' as const, 'coverage' as const] },
      billing: { phi: ['financial' as const, 'coverage' as const, 'contact' as const] },
      'front-desk': { phi: ['demographic' as const] },
      triage: { phi: ['clinical' as const] },
    }
    const clearances: Record<string, PhiClass[]> = {
      benefits: ['demographic'],
      billing: [],
      'front-desk': ['demographic', 'contact'],
    }
    const problems = clearanceProblems({ roles }, (queue) => clearances[queue])
    expect(problems).toEqual([
      {
        severity: 'warning',
        code: 'queue-phi-beyond-clearance',
        path: 'roles.benefits.phi',
        message:
          'The role "benefits" shows coverage data, but the queue "benefits" is cleared for demographic data only: its people will see coverage data hidden. An admin changes the clearance under Users and queues.',
      },
      {
        severity: 'warning',
        code: 'queue-phi-beyond-clearance',
        path: 'roles.billing.phi',
        message:
          'The role "billing" shows financial, coverage and contact data, but the queue "billing" is cleared for no patient data: its people will see financial, coverage and contact data hidden. An admin changes the clearance under Users and queues.',
      },
    ])
    // A queue with no clearance set caps nothing (triage), and a clearance covering the role is quiet (front-desk).
    expect(clearanceProblems({ roles }, () => undefined)).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { queueSteps, unworkedQueueProblems, unworkedQueueWarnings } from './queue-steps.ts'
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
})

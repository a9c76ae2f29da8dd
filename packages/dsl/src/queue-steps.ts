// Which work queue each human step of a flow sends its tasks to, read through the node types'
// `human.role`, and the warning a step gets when nobody works its queue: the review's publish
// warnings (runtime) and the designer's problems list say the same sentence.
import { nodeTitle, type DocumentNodes } from './plain-words.ts'
import type { Problem } from './problems.ts'
import type { NodeRegistry } from './registry.ts'

/** A human step and the queue its tasks go to. */
export interface QueueStep {
  nodeId: string
  title: string
  queue: string
}

/** The human steps of a document, in node order (steps whose config does not parse are left to validation). */
export function queueSteps(document: DocumentNodes, registry: NodeRegistry): QueueStep[] {
  return Object.entries(document.nodes).flatMap(([nodeId, node]) => {
    const type = registry.get(node.type)
    if (!type?.human) return []
    const config = type.config.safeParse(node.config)
    if (!config.success) return []
    return [{ nodeId, title: nodeTitle(document, nodeId), queue: type.human.role(config.data) }]
  })
}

/**
 * A warning per human step whose queue nobody works: its tasks would reach no one. Plain words,
 * the step by title; `isWorked` says whether anyone works a queue.
 */
export function unworkedQueueProblems(
  document: DocumentNodes,
  registry: NodeRegistry,
  isWorked: (queue: string) => boolean,
): Problem[] {
  return queueSteps(document, registry)
    .filter((step) => !isWorked(step.queue))
    .map((step) => ({
      severity: 'warning',
      code: 'queue-unworked',
      nodeId: step.nodeId,
      path: `nodes.${step.nodeId}.config.role`,
      message: `The step "${step.title}" sends its tasks to the queue "${step.queue}", which nobody works yet: an admin adds people to it under Users and queues.`,
    }))
}

/** The same warnings as sentences (the review's publish warnings). */
export function unworkedQueueWarnings(
  document: DocumentNodes,
  registry: NodeRegistry,
  isWorked: (queue: string) => boolean,
): string[] {
  return unworkedQueueProblems(document, registry, isWorked).map((problem) => problem.message)
}

// Which work queue each human step of a flow sends its tasks to, read through the node types'
// `human.role`, and the warning a step gets when nobody works its queue.
import { nodeTitle, type FlowDocument, type NodeRegistry } from '@carepath/dsl'

/** A human step and the queue its tasks go to. */
export interface QueueStep {
  nodeId: string
  title: string
  queue: string
}

/** The human steps of a document, in node order (steps whose config does not parse are left to validation). */
export function queueSteps(document: FlowDocument, registry: NodeRegistry): QueueStep[] {
  return Object.entries(document.nodes).flatMap(([nodeId, node]) => {
    const type = registry.get(node.type)
    if (!type?.human) return []
    const config = type.config.safeParse(node.config)
    if (!config.success) return []
    return [{ nodeId, title: nodeTitle(document, nodeId), queue: type.human.role(config.data) }]
  })
}

/**
 * A sentence per human step whose queue nobody works: its tasks would reach no one. Plain words,
 * the step by title; `isWorked` says whether anyone works a queue.
 */
export function unworkedQueueWarnings(
  document: FlowDocument,
  registry: NodeRegistry,
  isWorked: (queue: string) => boolean,
): string[] {
  return queueSteps(document, registry)
    .filter((step) => !isWorked(step.queue))
    .map(
      (step) =>
        `The step "${step.title}" sends its tasks to the queue "${step.queue}", which nobody works yet: an admin adds people to it under Users and queues.`,
    )
}

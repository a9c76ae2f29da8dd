// Which work queue each human step of a flow sends its tasks to, read through the node types'
// `human.role`; the warning a step gets when nobody works its queue, and the one a flow role gets
// when it asks for PHI classes beyond its queue's clearance: the review's publish warnings
// (runtime) and the designer's problems list say the same sentences.
import type { FlowDocument } from './flow.schema.ts'
import type { PhiClass } from './phi.ts'
import { listWords, nodeTitle, type DocumentNodes } from './plain-words.ts'
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

/**
 * A queue's PHI clearance as an admin set it: the classes its people are cleared to see, or
 * undefined when none is set (each flow's role then decides alone).
 */
export type QueueClearanceOf = (queue: string) => readonly PhiClass[] | undefined

/**
 * The classes of `asked` a queue's people see under its clearance: all of them when no clearance
 * is set, else those the clearance names. The runtime's redaction and these warnings read it alike.
 */
export function classesCleared(asked: readonly PhiClass[], cleared: readonly PhiClass[] | undefined): PhiClass[] {
  return cleared === undefined ? [...asked] : asked.filter((c) => cleared.includes(c))
}

/**
 * A warning per flow role whose PHI classes go beyond its queue's clearance: the runtime hides
 * those classes from the queue's people, so the steps of that role would show them redacted.
 */
export function clearanceProblems(document: Pick<FlowDocument, 'roles'>, clearanceOf: QueueClearanceOf): Problem[] {
  return Object.entries(document.roles).flatMap(([name, role]): Problem[] => {
    const cleared = clearanceOf(name)
    if (cleared === undefined) return []
    const seen = classesCleared(role.phi, cleared)
    const beyond = [...new Set(role.phi)].filter((c) => c !== 'none' && !seen.includes(c))
    if (beyond.length === 0) return []
    const shown = cleared.filter((c) => c !== 'none')
    const clearance = shown.length === 0 ? 'no patient data' : `${listWords(shown)} data only`
    const hidden = `${listWords(beyond)} data`
    return [
      {
        severity: 'warning',
        code: 'queue-phi-beyond-clearance',
        path: `roles.${name}.phi`,
        message: `The role "${name}" shows ${hidden}, but the queue "${name}" is cleared for ${clearance}: its people will see ${hidden} hidden. An admin changes the clearance under Users and queues.`,
      },
    ]
  })
}

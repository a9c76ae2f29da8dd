import type { FlowDocument } from './flow.schema.ts'
import type { Problem, ProblemCode } from './problems.ts'
import type { ResolvedNode } from './validate-node.ts'

function problem(code: ProblemCode, path: string, message: string, nodeId?: string): Problem {
  return nodeId === undefined
    ? { code, severity: 'error', path, message }
    : { code, severity: 'error', nodeId, path, message }
}

/** Start node present, a trigger, and the only trigger. */
export function checkStart(document: FlowDocument, resolved: ReadonlyMap<string, ResolvedNode>): Problem[] {
  const problems: Problem[] = []
  const start = document.nodes[document.start]
  if (!document.start) {
    problems.push(problem('no-start', 'start', 'The flow has no start node; set "start" to the id of its trigger.'))
  } else if (!start) {
    problems.push(problem('no-start', 'start', `The start node "${document.start}" does not exist.`))
  } else {
    const startType = resolved.get(document.start)?.nodeType
    if (startType && !startType.trigger) {
      problems.push(
        problem(
          'no-start',
          'start',
          `The flow starts at "${document.start}", a ${startType.type} node; a flow must start at a trigger.`,
          document.start,
        ),
      )
    }
  }
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    if (nodeId === document.start || !resolved.get(nodeId)?.nodeType.trigger) continue
    const message = start
      ? `"${nodeId}" is a second trigger (${node.type}); a flow has one start, "${document.start}".`
      : `"${nodeId}" is a trigger (${node.type}) but the flow's start points elsewhere; a flow has one start.`
    problems.push(problem('several-starts', `nodes.${nodeId}`, message, nodeId))
  }
  return problems
}

/** Every port leads to an existing node, is offered by the type, and required ports are wired. */
export function checkPorts(document: FlowDocument, resolved: ReadonlyMap<string, ResolvedNode>): Problem[] {
  const problems: Problem[] = []
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    const ports = resolved.get(nodeId)?.ports
    const offered = ports ? new Set(ports.map((p) => p.name)) : undefined
    for (const [port, target] of Object.entries(node.next)) {
      const path = `nodes.${nodeId}.next.${port}`
      if (offered && !offered.has(port)) {
        const list = [...offered].map((p) => `"${p}"`).join(', ') || 'none'
        problems.push(problem('unknown-port', path, `"${nodeId}" has no port "${port}" (its ports: ${list}).`, nodeId))
      }
      if (!(target in document.nodes)) {
        problems.push(
          problem(
            'edge-to-missing-node',
            path,
            `The "${port}" port of "${nodeId}" leads to "${target}", which does not exist.`,
            nodeId,
          ),
        )
      }
    }
    for (const port of ports ?? []) {
      if (port.required && !(port.name in node.next)) {
        problems.push(
          problem(
            'missing-required-port',
            `nodes.${nodeId}.next.${port.name}`,
            `The "${port.name}" outcome of "${nodeId}" leads nowhere; connect it.`,
            nodeId,
          ),
        )
      }
    }
  }
  return problems
}

/** Nodes no path from the start reaches (only checked when the start exists). */
export function checkReachable(document: FlowDocument): Problem[] {
  if (!(document.start in document.nodes)) return []
  const seen = new Set<string>([document.start])
  const queue = [document.start]
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const target of Object.values(document.nodes[id]?.next ?? {})) {
      if (target in document.nodes && !seen.has(target)) {
        seen.add(target)
        queue.push(target)
      }
    }
  }
  return Object.keys(document.nodes)
    .filter((id) => !seen.has(id))
    .map((id) =>
      problem('unreachable-node', `nodes.${id}`, `No path from the start "${document.start}" reaches "${id}".`, id),
    )
}

/** Strongly connected components (Tarjan), in a deterministic order. */
function cycles(document: FlowDocument): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  let counter = 0
  const targets = (id: string) => Object.values(document.nodes[id]?.next ?? {}).filter((t) => t in document.nodes)
  // Iterative, so a long chain of nodes cannot overflow the call stack.
  for (const root of Object.keys(document.nodes)) {
    if (index.has(root)) continue
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }]
    index.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number }
      const out = targets(frame.id)
      if (frame.next < out.length) {
        const target = out[frame.next++] as string
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ id: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(target) as number))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number))
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = []
        let member: string | undefined
        do {
          member = stack.pop() as string
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.id)
        const selfLoop = component.length === 1 && targets(frame.id).includes(frame.id)
        if (component.length > 1 || selfLoop) components.push(component.sort())
      }
    }
  }
  return components.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1))
}

/** Every cycle needs a node with `maxVisits`, so no run can loop forever. */
export function checkCycles(document: FlowDocument): Problem[] {
  return cycles(document)
    .filter((component) => !component.some((id) => document.nodes[id]?.maxVisits !== undefined))
    .map((component) => {
      const first = component[0] as string
      const loop = component.map((id) => `"${id}"`).join(', ')
      return problem(
        'unbounded-cycle',
        `nodes.${first}.maxVisits`,
        `The nodes ${loop} form a loop with no limit; set maxVisits on one of them.`,
        first,
      )
    })
}

// The review's warnings about work queues, shown live in the problems list while the analyst
// wires the flow: a human step whose queue nobody works (its tasks would reach no one), and a role
// asking for PHI classes beyond its queue's clearance (its people would see them hidden). Who works
// which queue and each queue's clearance come from the server once per flow opened; until they
// are known (or for a reader who may not list queues) nothing is said rather than guessed.
import { useMemo } from 'react'
import { clearanceProblems, unworkedQueueProblems, type Problem } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { registry } from '../registry.ts'
import { useEditor } from '../store/editor.store.ts'
import { useDocumentNodes } from './use-document-nodes.ts'

export function useQueueProblems(): Problem[] {
  const flowId = useEditor((s) => s.flowId)
  const queues = useLoader(() => api.listQueues(), [flowId])
  const documentNodes = useDocumentNodes()
  const roles = useEditor((s) => s.meta.roles)
  return useMemo(() => {
    if (!queues.data) return []
    const worked = new Set(queues.data.filter((q) => q.members.length > 0).map((q) => q.name))
    const clearances = new Map(queues.data.map((q) => [q.name, q.phi ?? undefined]))
    return [
      // A role the flow does not define is validation's error already (a step just dropped, whose
      // role is still to be chosen): a second warning about its queue would only repeat it.
      ...unworkedQueueProblems(documentNodes, registry, (queue) => worked.has(queue) || !Object.hasOwn(roles, queue)),
      ...clearanceProblems({ roles }, (queue) => clearances.get(queue)),
    ]
  }, [queues.data, documentNodes, roles])
}

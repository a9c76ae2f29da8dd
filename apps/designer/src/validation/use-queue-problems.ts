// The review's warning on a human step whose work queue nobody works, shown live in the problems
// list while the analyst wires the step: its tasks would reach no one. Who works which queue
// comes from the server once per flow opened; until it is known (or for a reader who may not list
// queues) nothing is said rather than guessed.
import { useMemo } from 'react'
import { unworkedQueueProblems, type Problem } from '@carepath/dsl'
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
    // A role the flow does not define is validation's error already (a step just dropped, whose
    // role is still to be chosen): a second warning about its queue would only repeat it.
    return unworkedQueueProblems(documentNodes, registry, (queue) => worked.has(queue) || !Object.hasOwn(roles, queue))
  }, [queues.data, documentNodes, roles])
}

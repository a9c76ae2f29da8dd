// The canvas nodes as the DSL's wording reads them (titles and configs by node id), rebuilt only
// when a node's content changes (not on every drag frame), so problems and diffs can name nodes, rules, rows and columns.
import { useMemo } from 'react'
import type { DocumentNodes } from '@carepath/dsl'
import { useNodesContent } from '../store/use-nodes-content.ts'

export function useDocumentNodes(): DocumentNodes {
  const nodes = useNodesContent()
  return useMemo(
    () => ({
      nodes: Object.fromEntries(
        nodes.map((n) => [
          n.id,
          { type: n.data.type, typeVersion: n.data.typeVersion, title: n.data.title, config: n.data.config, next: {} },
        ]),
      ),
    }),
    [nodes],
  )
}

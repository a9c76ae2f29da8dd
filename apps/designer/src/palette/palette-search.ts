// What a search for node types finds, for the palette and for the quick-add picker alike, so a
// word that finds a step in one finds it in the other.
import type { AnyNodeType, NodeCategory } from '@carepath/dsl'

/** Node types of one palette category, in the palette's order. */
export interface PaletteGroup {
  category: NodeCategory
  types: readonly AnyNodeType[]
}

/** The groups' types whose id, title, description or a keyword holds `query`; empty groups dropped. */
export function searchPalette(groups: readonly PaletteGroup[], query: string): PaletteGroup[] {
  const q = query.trim().toLowerCase()
  return groups
    .map((group) => ({
      category: group.category,
      types: q
        ? group.types.filter((t) =>
            [t.type, t.title, t.description, ...(t.keywords ?? [])].some((s) => s.toLowerCase().includes(q)),
          )
        : group.types,
    }))
    .filter((group) => group.types.length > 0)
}

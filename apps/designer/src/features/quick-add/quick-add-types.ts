// The step types a port may lead to when the analyst adds a new step from it: the palette's own
// groups, searched as the palette searches, keeping only types with an input port (a trigger
// starts a flow; no port can lead into one).
import { hasInputPort } from '../../canvas/node-ports.ts'
import { searchPalette, type PaletteGroup } from '../../palette/palette-search.ts'

/** The palette's groups narrowed to the types a port can lead to, then to those `query` finds. */
export function quickAddGroups(palette: readonly PaletteGroup[], query: string): PaletteGroup[] {
  const targets = palette.map((group) => ({ category: group.category, types: group.types.filter(hasInputPort) }))
  return searchPalette(targets, query)
}

/**
 * The type a search for `query` most likely means, chosen first in the picker: one named exactly
 * so, else one whose title or id starts so, else one with a word of its title starting so, else
 * the first found. Typing "end" chooses End, not "HL7 send" listed before it.
 */
export function bestMatch<T extends { type: string; title: string }>(
  types: readonly T[],
  query: string,
): T | undefined {
  const q = query.trim().toLowerCase()
  if (!q) return types[0]
  const rank = (t: T) => {
    const title = t.title.toLowerCase()
    const type = t.type.toLowerCase()
    if (title === q || type === q) return 0
    if (title.startsWith(q) || type.startsWith(q)) return 1
    if (title.split(/\s+/).some((word) => word.startsWith(q))) return 2
    return 3
  }
  let best: T | undefined
  for (const t of types) if (!best || rank(t) < rank(best)) best = t
  return best
}

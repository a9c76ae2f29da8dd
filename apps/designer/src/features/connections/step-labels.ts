// The words a list of steps shows for each step: its title, as the problems list and the run
// viewer name it ("Notify 1" for a step without a title). Two steps with the same title get their
// type and number after it ("Send reminder — Notify 1", "Send reminder — Notify 2"), so the list
// never offers two choices that read the same. Ids stay out of the words.
import { defaultNodeTitle, nodeTitle, type DocumentNodes } from '@carepath/dsl'

/** Each of `ids` with a label no other of them shares, in the order given. */
export function stepLabels(document: DocumentNodes, ids: readonly string[]): Map<string, string> {
  const titles = new Map(ids.map((id) => [id, nodeTitle(document, id)]))
  const count = new Map<string, number>()
  for (const title of titles.values()) count.set(title, (count.get(title) ?? 0) + 1)
  const labels = new Map<string, string>()
  const taken = new Set<string>()
  for (const id of ids) {
    const title = titles.get(id) ?? id
    const titled = Boolean(document.nodes[id]?.title?.trim())
    const shared = (count.get(title) ?? 0) > 1
    let label = shared && titled ? `${title} — ${defaultNodeTitle(document, id)}` : title
    // Two untitled steps can still come to the same type and number (one numbered by its id, one by its place).
    for (let n = 2; taken.has(label); n++) label = `${title} (${n})`
    taken.add(label)
    labels.set(id, label)
  }
  return labels
}

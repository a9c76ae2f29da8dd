// After a quick-add the new step takes the focus on the canvas, where the keyboard can move,
// delete or connect it (its selection has already opened it in the inspector). The picker that
// held the focus is gone by then, and React Flow draws a new node hidden until it has measured
// it (a hidden element takes no focus), so the focus is tried once a frame until the node has it.

/** Frames to keep trying; past them the focus stays where it is. */
const FRAMES = 60

/** Focus the canvas node `id` once React Flow shows it, unless the user has put the focus elsewhere meanwhile. */
export function focusNewStep(id: string, framesLeft = FRAMES): void {
  requestAnimationFrame(() => {
    const active = document.activeElement
    if (active && active !== document.body) return
    const node = document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`)
    if (node instanceof HTMLElement) node.focus()
    if (document.activeElement !== node && framesLeft > 0) focusNewStep(id, framesLeft - 1)
  })
}

// Quick-add from a port with the mouse: a line dragged from an output port and let go on empty
// canvas opens the picker there; picking adds the step where the line ended and connects it.
// While the picker is open a dashed line stays from the port to the drop point, so the analyst
// still sees what the new step will follow; moving the canvas closes the picker (the line would
// no longer meet the port).
import { useCallback, useState, type ReactNode, type RefObject } from 'react'
import { useReactFlow, type OnConnectEnd, type XYPosition } from '@xyflow/react'
import { useEditor } from '../../store/editor.store.ts'
import { portsOf } from '../../canvas/node-ports.ts'
import { registry } from '../../registry.ts'
import { QuickAddPicker } from './quick-add-picker.tsx'
import { atDropPoint, pickerPlace, type DropLine, type PickerPlace } from './quick-add-placement.ts'
import { focusNewStep } from './focus-new-step.ts'

interface Pending {
  source: string
  port: string
  portTitle: string
  stepTitle: string
  /** From the port to the drop point, in pixels from the canvas's top left. */
  line: DropLine
  /** The drop point in flow coordinates: where the new step goes. */
  flow: XYPosition
  /** Where the picker goes: one of its corners at the drop point. */
  place: PickerPlace
}

/** React Flow's connect-end handler for the canvas, and the picker to draw inside it while open. */
export function useCanvasQuickAdd(canvas: RefObject<HTMLElement | null>): {
  onConnectEnd: OnConnectEnd
  close(): void
  picker: ReactNode
} {
  const { screenToFlowPosition, flowToScreenPosition } = useReactFlow()
  const [pending, setPending] = useState<Pending | null>(null)

  const onConnectEnd = useCallback<OnConnectEnd>(
    (event, connection) => {
      // null: the pointer never came near a port (a port it came near, valid or not, was the aim).
      if (connection.isValid !== null || connection.toNode || useEditor.getState().readOnly) return
      const { fromNode, fromHandle } = connection
      if (!fromNode || fromHandle?.type !== 'source' || !fromHandle.id) return
      const point = 'changedTouches' in event ? event.changedTouches[0] : event
      const box = canvas.current?.getBoundingClientRect()
      if (!point || !box) return
      // Let go over a step's body: a missed port, not a request for a new step.
      if (document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node')) return
      const node = useEditor.getState().nodes.find((n) => n.id === fromNode.id)
      if (!node) return
      const port = portsOf(node.data.type, node.data.config).find((p) => p.name === fromHandle.id)
      const x = point.clientX - box.left
      const y = point.clientY - box.top
      const from = flowToScreenPosition(connection.from)
      const line = { x1: from.x - box.left, y1: from.y - box.top, x2: x, y2: y }
      setPending({
        source: node.id,
        port: fromHandle.id,
        portTitle: port?.title ?? fromHandle.id,
        stepTitle: node.data.title || registry.get(node.data.type)?.title || node.id,
        line,
        flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        place: pickerPlace(line, box.width, box.height),
      })
    },
    [canvas, screenToFlowPosition, flowToScreenPosition],
  )
  const close = useCallback(() => setPending(null), [])

  const pick = (type: string) => {
    if (!pending) return
    const editor = useEditor.getState()
    const id = editor.addNodeFrom(pending.source, pending.port, type, atDropPoint(pending.flow, editor.nodes))
    setPending(null)
    if (id) focusNewStep(id)
  }

  const picker = pending && (
    <>
      <svg className="cp-quick-add-line" aria-hidden="true">
        <line {...pending.line} />
        <circle cx={pending.line.x2} cy={pending.line.y2} r={4} />
      </svg>
      <div className="cp-quick-add-at" style={pending.place}>
        <QuickAddPicker stepTitle={pending.stepTitle} portTitle={pending.portTitle} onPick={pick} onClose={close} />
      </div>
    </>
  )
  return { onConnectEnd, close, picker }
}

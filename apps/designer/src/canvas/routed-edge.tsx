// An edge as auto-layout routed it: ELK's orthogonal polyline with rounded corners and the label
// in the box ELK kept free for it. Without a route, or once an end has moved away from where the
// route was computed, it is React Flow's smoothstep path, labelled on its first run
// (edge-routes.ts). Memoised, and reads only its own route, so dragging a node costs the same as
// before. The label is drawn without measuring (edge-label.tsx).
import { memo, useMemo } from 'react'
import { BaseEdge, getSmoothStepPath, type EdgeProps } from '@xyflow/react'
import { useEdgeRoutes } from './edge-routes.store.ts'
import { firstRunLabel, routeFits, routePath } from './edge-routes.ts'
import { EdgeLabel } from './edge-label.tsx'

function RoutedEdgeView(props: EdgeProps) {
  const route = useEdgeRoutes((s) => s.routes[props.id])
  const routed = useMemo(() => (route ? routePath(route) : ''), [route])
  const source = { x: props.sourceX, y: props.sourceY }
  const target = { x: props.targetX, y: props.targetY }
  const fits = route !== undefined && routeFits(route, source, target)
  let path: string
  let labelX: number
  let labelY: number
  if (fits) {
    path = routed
    labelX = route.label?.x ?? (route.start.x + route.end.x) / 2
    labelY = route.label?.y ?? (route.start.y + route.end.y) / 2
  } else {
    ;[path, labelX, labelY] = getSmoothStepPath({
      sourceX: props.sourceX,
      sourceY: props.sourceY,
      sourcePosition: props.sourcePosition,
      targetX: props.targetX,
      targetY: props.targetY,
      targetPosition: props.targetPosition,
    })
    const onFirstRun = typeof props.label === 'string' ? firstRunLabel(source, target, props.label) : undefined
    if (onFirstRun) ({ x: labelX, y: labelY } = onFirstRun)
  }
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        data-route={fits ? 'orthogonal' : undefined}
        style={props.style}
        markerStart={props.markerStart}
        markerEnd={props.markerEnd}
        interactionWidth={props.interactionWidth}
      />
      {typeof props.label === 'string' && props.label !== '' && (
        <EdgeLabel x={labelX} y={labelY} text={props.label} style={props.labelStyle} />
      )}
    </>
  )
}

export const RoutedEdge = memo(RoutedEdgeView)

/** Built once at module scope, as React Flow asks. */
export const edgeTypes = { routed: RoutedEdge }

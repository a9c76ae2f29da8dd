// An edge as auto-layout routed it: ELK's orthogonal polyline with rounded corners and the label
// in the box ELK kept free for it. Without a route, or once an end has moved away from where the
// route was computed, it is React Flow's smoothstep edge. Memoised, and reads only its own route,
// so dragging a node costs the same as before.
import { memo, useMemo } from 'react'
import { BaseEdge, SmoothStepEdge, type EdgeProps } from '@xyflow/react'
import { useEdgeRoutes } from './edge-routes.store.ts'
import { routeFits, routePath } from './edge-routes.ts'

function RoutedEdgeView(props: EdgeProps) {
  const route = useEdgeRoutes((s) => s.routes[props.id])
  const path = useMemo(() => (route ? routePath(route) : ''), [route])
  const source = { x: props.sourceX, y: props.sourceY }
  const target = { x: props.targetX, y: props.targetY }
  if (!route || !routeFits(route, source, target)) {
    return (
      <SmoothStepEdge
        id={props.id}
        sourceX={props.sourceX}
        sourceY={props.sourceY}
        targetX={props.targetX}
        targetY={props.targetY}
        sourcePosition={props.sourcePosition}
        targetPosition={props.targetPosition}
        label={props.label}
        labelStyle={props.labelStyle}
        labelShowBg={props.labelShowBg}
        labelBgStyle={props.labelBgStyle}
        labelBgPadding={props.labelBgPadding}
        labelBgBorderRadius={props.labelBgBorderRadius}
        style={props.style}
        markerStart={props.markerStart}
        markerEnd={props.markerEnd}
        interactionWidth={props.interactionWidth}
      />
    )
  }
  return (
    <BaseEdge
      id={props.id}
      path={path}
      data-route="orthogonal"
      label={props.label}
      labelX={route.label?.x ?? (route.start.x + route.end.x) / 2}
      labelY={route.label?.y ?? (route.start.y + route.end.y) / 2}
      labelStyle={props.labelStyle}
      labelShowBg
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius ?? 3}
      style={props.style}
      markerStart={props.markerStart}
      markerEnd={props.markerEnd}
      interactionWidth={props.interactionWidth}
    />
  )
}

export const RoutedEdge = memo(RoutedEdgeView)

/** Built once at module scope, as React Flow asks. */
export const edgeTypes = { routed: RoutedEdge }

// An edge's label at a size known from its text. React Flow's own label measures its text
// (getBBox) once mounted: on a large flow every edge that comes into view while panning forced a
// layout and then rendered a second time with the measured box (the busiest pan frames spent a
// fifth of their script there). The box is the one auto-layout reserves for the label, so what
// ELK keeps free is exactly what is drawn.
import type { CSSProperties } from 'react'
import { labelSize } from './edge-routes.ts'

export function EdgeLabel({ x, y, text, style }: { x: number; y: number; text: string; style?: CSSProperties }) {
  const { width, height } = labelSize(text)
  return (
    <g className="react-flow__edge-textwrapper" transform={`translate(${x - width / 2} ${y - height / 2})`}>
      <rect className="react-flow__edge-textbg" width={width} height={height} rx={3} ry={3} />
      <text
        className="react-flow__edge-text"
        x={width / 2}
        y={height / 2}
        dominantBaseline="central"
        textAnchor="middle"
        style={style}
      >
        {text}
      </text>
    </g>
  )
}

import { describe, expect, it } from 'vitest'
import {
  atDropPoint,
  besideSource,
  pickerPlace,
  BESIDE_GAP_X,
  DROP_INPUT_Y,
  PICKER_HEIGHT,
  PICKER_WIDTH,
} from './quick-add-placement.ts'

const at = (x: number, y: number) => ({ position: { x, y } })

describe('where a step added from a port goes', () => {
  it('at the drop point, its input about where the line was let go', () => {
    expect(atDropPoint({ x: 420, y: 310 }, [at(0, 0)])).toEqual({ x: 420, y: 310 - DROP_INPUT_Y })
  })

  it('below a step that already sits at the drop point', () => {
    const spot = atDropPoint({ x: 420, y: 310 }, [at(430, 280)])
    expect(spot.x).toBe(420)
    expect(spot.y).toBeGreaterThanOrEqual(280 + 90)
  })

  it('to the right of its source without a pointer, past the steps already there', () => {
    expect(besideSource({ x: 100, y: 50 }, [at(100, 50)])).toEqual({ x: 100 + BESIDE_GAP_X, y: 50 })
    const taken = [at(100, 50), at(100 + BESIDE_GAP_X, 50), at(100 + BESIDE_GAP_X, 150)]
    expect(besideSource({ x: 100, y: 50 }, taken)).toEqual({ x: 100 + BESIDE_GAP_X, y: 250 })
  })
})

describe('where the picker opens on the canvas', () => {
  const canvas = { width: 1000, height: 800 }
  const place = (x1: number, y1: number, x2: number, y2: number) =>
    pickerPlace({ x1, y1, x2, y2 }, canvas.width, canvas.height)

  it('with a corner at the drop point, reaching on away from the port', () => {
    expect(place(100, 100, 300, 200)).toEqual({ left: 300, top: 200 })
    expect(place(700, 700, 500, 600)).toEqual({ right: canvas.width - 500, bottom: canvas.height - 600 })
    expect(place(100, 700, 300, 600)).toEqual({ left: 300, bottom: canvas.height - 600 })
  })

  it('back towards the port where the canvas has no room on the far side', () => {
    const nearRight = canvas.width - PICKER_WIDTH / 2
    const nearBottom = canvas.height - PICKER_HEIGHT / 2
    expect(place(100, 100, nearRight, nearBottom)).toEqual({
      right: canvas.width - nearRight,
      bottom: canvas.height - nearBottom,
    })
    expect(place(900, 700, 40, 30)).toEqual({ left: 40, top: 30 })
  })

  it('on the far side still when neither side has room', () => {
    expect(pickerPlace({ x1: 0, y1: 0, x2: 150, y2: 150 }, 300, 300)).toEqual({ left: 150, top: 150 })
  })
})

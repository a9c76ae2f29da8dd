import { describe, expect, it } from 'vitest'
import { registry } from '../../registry.ts'
import { searchPalette } from '../../palette/palette-search.ts'
import { bestMatch, quickAddGroups } from './quick-add-types.ts'

const offered = (query = '') => quickAddGroups(registry.palette(), query).flatMap((g) => g.types.map((t) => t.type))

describe('the step types quick-add offers', () => {
  it('offers every palette type a port can lead to, in the palette’s order, and no trigger', () => {
    const palette = registry.palette().flatMap((g) => g.types)
    const targets = palette.filter((t) => !t.trigger).map((t) => t.type)
    expect(targets.length).toBeGreaterThan(5)
    expect(offered()).toEqual(targets)
    expect(palette.some((t) => t.trigger)).toBe(true)
    expect(offered().some((type) => registry.get(type)?.trigger)).toBe(false)
    expect(quickAddGroups(registry.palette(), '').map((g) => g.category)).not.toContain('Trigger')
  })

  it('finds what the palette’s search finds, less the triggers', () => {
    for (const query of ['end', 'table', 'approval', 'webhook', 'http', '  Rules ']) {
      const palette = searchPalette(registry.palette(), query)
        .flatMap((g) => g.types)
        .filter((t) => !t.trigger)
        .map((t) => t.type)
      expect(offered(query), query).toEqual(palette)
    }
    expect(offered('decision table')).toEqual(['decision.table'])
    expect(offered('webhook')).toEqual(['wait.event'])
    expect(offered('schedule')).toEqual([])
    expect(offered('no such step')).toEqual([])
  })
})

describe('the type a search most likely means', () => {
  const best = (query: string) =>
    bestMatch(
      quickAddGroups(registry.palette(), query).flatMap((g) => g.types),
      query,
    )?.type

  it('is the one named so, before others that merely hold the word', () => {
    expect(offered('end').indexOf('hl7.send')).toBeLessThan(offered('end').indexOf('end'))
    expect(best('end')).toBe('end')
    expect(best('END ')).toBe('end')
    expect(best('decision.table')).toBe('decision.table')
  })

  it('is one whose title or a word of it starts so, else the first found', () => {
    expect(best('tab')).toBe('decision.table')
    expect(best('appro')).toBe('task.approval')
    expect(best('')).toBe(offered()[0])
    expect(best('no such step')).toBeUndefined()
  })
})

// The map under the installation's queue clearances: a queue whose clearance withholds a class
// the flow asks for is marked so on its `shown` and `may-see` rows, in the class summary, the
// exports and the diff; an uncapped queue reads as it does without clearances.
import { describe, expect, it } from 'vitest'
import type { PhiClass } from '../phi.ts'
import { sampleFlow } from '../testing/sample-flow.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { buildPhiMap, type PhiMapClearances } from './phi-map.ts'
import { diffPhiMaps, isEmptyPhiMapDiff } from './phi-map-diff.ts'
import { exportPhiMap, phiMapToCsv, phiMapToMarkdown } from './phi-map-export.ts'
import { phiMapSchema } from './phi-map.schema.ts'

// The agent queue is cleared for no patient data; billing for everything but demographic data.
const capped: PhiMapClearances = new Map<string, readonly PhiClass[] | null>([
  ['agent', []],
  ['billing', ['identifier', 'financial']],
])
const mapUnder = (clearances?: PhiMapClearances) => buildPhiMap(sampleFlow(), testRegistry, { clearances })

describe('buildPhiMap with queue clearances', () => {
  it('marks the shown and may-see rows a queue’s clearance withholds, and only those', () => {
    const map = mapUnder(capped)
    const rows = map.touchpoints
      .filter((t) => t.kind === 'shown' || t.kind === 'may-see')
      .map((t) => `${t.phiClass} ${t.kind} ${t.queue ?? ''}${t.withheld ? ' withheld' : ''}`)
    expect(rows).toEqual([
      'identifier may-see billing',
      'demographic shown agent withheld',
      'demographic may-see agent withheld',
      'demographic may-see billing withheld',
      'financial may-see billing',
    ])
    expect(phiMapSchema.parse(map)).toEqual(map)
  })

  it('counts no queue that cannot see a class, and says where it is withheld', () => {
    const map = mapUnder(capped)
    const demographic = map.classes.find((c) => c.phiClass === 'demographic')
    expect(demographic).toMatchObject({
      queues: [],
      productRoles: [],
      shownIn: ['Test question (queue: agent, withheld by its clearance)'],
      withheld: [
        "asked for by the agent step “Test question”, withheld by the agent queue's clearance",
        "asked for by the flow's agent role, withheld by the agent queue's clearance",
        "asked for by the flow's billing role, withheld by the billing queue's clearance",
      ],
    })
    expect(map.classes.find((c) => c.phiClass === 'financial')).toMatchObject({
      queues: ['billing'],
      productRoles: ['agent (working billing)'],
    })
    expect(map.classes.find((c) => c.phiClass === 'financial')).not.toHaveProperty('withheld')
  })

  it('leaves an uncapped queue, a null clearance and one naming every class asked for as they are', () => {
    const bare = mapUnder()
    const rowsOf = (map: ReturnType<typeof mapUnder>, queue: string) => map.touchpoints.filter((t) => t.queue === queue)
    const withheld = (map: ReturnType<typeof mapUnder>, queue: string) =>
      rowsOf(map, queue).flatMap((t) => (t.withheld ? [`${t.phiClass} ${t.kind}`] : []))

    const mixed = mapUnder(
      new Map([
        ['agent', null],
        ['billing', []],
      ]),
    )
    expect(rowsOf(mixed, 'agent')).toEqual(rowsOf(bare, 'agent'))
    expect(withheld(mixed, 'billing')).toEqual(['identifier may-see', 'demographic may-see', 'financial may-see'])

    const named = mapUnder(
      new Map([
        ['agent', ['demographic']],
        ['billing', ['identifier']],
      ]),
    )
    expect(rowsOf(named, 'agent')).toEqual(rowsOf(bare, 'agent'))
    expect(withheld(named, 'billing')).toEqual(['demographic may-see', 'financial may-see'])

    // No clearance set anywhere: the same map, byte for byte, but for saying clearances were applied.
    const none = mapUnder(new Map())
    expect([bare.clearancesApplied, none.clearancesApplied]).toEqual([false, true])
    expect(JSON.stringify({ ...none, clearancesApplied: false })).toBe(JSON.stringify(bare))
  })
})

describe('exports and diff under queue clearances', () => {
  it('writes the withheld rows in the Clearance column and the sentences in the Markdown', () => {
    const map = mapUnder(capped)
    const csv = phiMapToCsv(map).split('\r\n')
    expect(csv[0]?.endsWith(',Facts,Clearance')).toBe(true)
    expect(csv.filter((l) => l.endsWith(',withheld'))).toEqual([
      'demographic,shown,Test question,,,,,,agent,patient.name,withheld',
      'demographic,may-see,Agent,,,,,,agent,,withheld',
      'demographic,may-see,billing,,,,,,billing,,withheld',
    ])
    const md = phiMapToMarkdown(map)
    expect(md).toContain(
      "- **Withheld by a queue's clearance:** asked for by the agent step “Test question”, withheld by the agent queue's clearance; ",
    )
    expect(md).toContain(
      '| demographic | shown | Test question |   |   |   |   |   | agent | patient.name | withheld |',
    )
    expect(phiMapSchema.parse(JSON.parse(exportPhiMap(map, 'json')))).toEqual(map)
    expect(phiMapToMarkdown(mapUnder())).not.toContain('withheld')
  })

  it('invents no line for a clearance change, and says a flow change is withheld in words', () => {
    expect(isEmptyPhiMapDiff(diffPhiMaps(mapUnder(), mapUnder(capped)))).toBe(true)
    expect(isEmptyPhiMapDiff(diffPhiMaps(mapUnder(capped), mapUnder(capped)))).toBe(true)

    const asking = sampleFlow()
    const agent = asking.roles['agent']
    if (agent) agent.phi = [...agent.phi, 'financial']
    const diff = diffPhiMaps(mapUnder(capped), buildPhiMap(asking, testRegistry, { clearances: capped }))
    expect(diff.removed).toEqual([])
    expect(diff.added.map((c) => c.summary)).toEqual([
      "financial data now asked for by the flow's agent role, withheld by the agent queue's clearance",
    ])
    const back = diffPhiMaps(buildPhiMap(asking, testRegistry, { clearances: capped }), mapUnder(capped))
    expect(back.removed.map((c) => c.summary)).toEqual([
      "financial data no longer asked for by the flow's agent role, withheld by the agent queue's clearance",
    ])
  })
})

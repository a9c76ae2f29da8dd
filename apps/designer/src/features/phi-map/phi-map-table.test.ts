import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { PhiMapView } from './phi-map-api.ts'
import { PhiClassSummary, PhiTouchpointTable } from './phi-map-table.tsx'

/** What a person reads: the markup's text, tags dropped. */
const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&#x27;', "'")
    .replace(/\s+/g, ' ')

// The front desk's clearance leaves out coverage data its role and its step ask for.
const map: PhiMapView = {
  flowId: 'f',
  version: 1,
  title: 'F',
  unmapped: [],
  classes: [
    {
      phiClass: 'coverage',
      enters: ['Start (run input)'],
      readBy: [],
      writtenBy: [],
      sentTo: [],
      shownIn: ['Confirm the visit (queue: front-desk, withheld by its clearance)'],
      queues: ['billing'],
      productRoles: ['agent (working billing)'],
      withheld: [
        "asked for by the front-desk step “Confirm the visit”, withheld by the front-desk queue's clearance",
        "asked for by the flow's front-desk role, withheld by the front-desk queue's clearance",
      ],
    },
  ],
  touchpoints: [
    { phiClass: 'coverage', kind: 'enters', where: 'Start', facts: ['plan.id'], source: 'run input' },
    {
      phiClass: 'coverage',
      kind: 'shown',
      nodeId: 'confirm',
      where: 'Confirm the visit',
      facts: ['plan.id'],
      queue: 'front-desk',
      withheld: true,
    },
    { phiClass: 'coverage', kind: 'may-see', where: 'Billing', facts: [], queue: 'billing' },
    { phiClass: 'coverage', kind: 'may-see', where: 'Front desk', facts: [], queue: 'front-desk', withheld: true },
  ],
}

describe('the PHI map in words', () => {
  it('says in each class’s summary where a queue’s clearance withholds what the flow asks for', () => {
    const text = words(renderToStaticMarkup(createElement(PhiClassSummary, { map })))
    expect(text).toContain(
      "Queues: billing. Asked for by the front-desk step “Confirm the visit”, withheld by the front-desk queue's clearance. Asked for by the flow's front-desk role, withheld by the front-desk queue's clearance.",
    )
  })

  it('labels a withheld row as asked for and withheld, not as shown or seen', () => {
    const rows = words(renderToStaticMarkup(createElement(PhiTouchpointTable, { map })))
      .split(' coverage ')
      .slice(1)
      .map((row) => row.trim())
    expect(rows).toEqual([
      'enters (run input) Start plan.id',
      "would be shown in (withheld by the queue's clearance) Confirm the visit front-desk plan.id",
      'queue may see Billing billing',
      'queue asks for (withheld by its clearance) Front desk front-desk',
    ])
  })
})

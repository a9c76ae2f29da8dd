import { describe, expect, it } from 'vitest'
import type { PhiEndpoint } from '@carepath/dsl'
import type { PhiMapView } from './phi-map-api.ts'
import { graphLayout } from './phi-map-graph.tsx'

const sms: PhiEndpoint = {
  system: 'SMS gateway',
  channel: 'sms',
  outside: true,
  patientFacing: true,
  encrypted: 'yes',
  encryptionNote: 'https URL',
}
const map: PhiMapView = {
  flowId: 'f',
  version: 1,
  title: 'F',
  classes: [],
  unmapped: [],
  touchpoints: [
    { phiClass: 'demographic', kind: 'enters', where: 'Start', facts: ['patient.name'], source: 'run input' },
    { phiClass: 'demographic', kind: 'read', nodeId: 'text', where: 'Text', facts: ['patient.name'] },
    { phiClass: 'demographic', kind: 'sent', nodeId: 'text', where: 'Text', facts: ['patient.name'], endpoint: sms },
    { phiClass: 'contact', kind: 'sent', nodeId: 'text', where: 'Text', facts: ['patient.phone'], endpoint: sms },
    { phiClass: 'clinical', kind: 'may-see', where: 'Nurse', facts: [], queue: 'nurse' },
  ],
}

describe('graphLayout', () => {
  it('draws each class to the steps that use it and each step to the systems it sends to, once', () => {
    const layout = graphLayout(map)
    expect(layout.classes).toEqual(['demographic', 'contact'])
    expect(layout.steps).toEqual(['Text'])
    expect(layout.systems).toEqual(['SMS gateway'])
    expect(layout.links).toEqual([
      { from: [0, 0], to: [1, 0], outside: false },
      { from: [1, 0], to: [2, 0], outside: true },
      { from: [0, 1], to: [1, 0], outside: false },
    ])
  })
})

import { describe, expect, it } from 'vitest'
import { sampleFlow } from '../testing/sample-flow.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { buildPhiMap } from './phi-map.ts'
import { exportPhiMap, PHI_MAP_FORMATS, phiMapToCsv, phiMapToMarkdown } from './phi-map-export.ts'
import { phiMapSchema } from './phi-map.schema.ts'

const map = buildPhiMap(sampleFlow(), testRegistry)

describe('PHI map exports', () => {
  it('writes CSV with a header and one line per touchpoint', () => {
    const lines = phiMapToCsv(map).split('\r\n')
    expect(lines[0]).toBe(
      'PHI class,Touchpoint,Where,Enters from,System,Channel,Outside,Encrypted,Queue,Facts,Clearance',
    )
    expect(lines[1]).toBe('identifier,enters,Test trigger,run input,,,,,,patient.ssn,')
    expect(lines).toHaveLength(map.touchpoints.length + 2) // header + rows + the empty string after the last CRLF
  })

  it('quotes commas and quotes, and keeps a spreadsheet from running a title as a formula', () => {
    const flow = sampleFlow()
    const check = flow.nodes['check']
    if (check) check.title = '=HYPERLINK("x"), amount'
    const line = phiMapToCsv(buildPhiMap(flow, testRegistry))
      .split('\r\n')
      .find((l) => l.startsWith('financial,read'))
    expect(line).toBe(`financial,read,"'=HYPERLINK(""x""), amount",,,,,,,amount,`)
  })

  it('writes Markdown with a section per class and the full table', () => {
    const md = phiMapToMarkdown(map)
    expect(md).toContain('# PHI touchpoint map: Sample flow (version 1)')
    expect(md).toContain('## demographic\n\n- **Enters:** Test trigger (run input)\n- **Read by:** Test question')
    expect(md).toContain('| demographic | shown | Test question |   |   |   |   |   | agent | patient.name |   |')
  })

  it('writes JSON that parses back to the same map', () => {
    expect(phiMapSchema.parse(JSON.parse(exportPhiMap(map, 'json')))).toEqual(map)
  })

  it('gives the same bytes every time', () => {
    for (const format of PHI_MAP_FORMATS) {
      expect(exportPhiMap(buildPhiMap(sampleFlow(), testRegistry), format)).toBe(exportPhiMap(map, format))
    }
  })
})

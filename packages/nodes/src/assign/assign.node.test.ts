import { describe, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { assign } from './assign.node.ts'

const facts: Record<string, JsonValue> = {
  patient: {
    birthDate: '1950-06-01',
    name: [
      { use: 'nickname', given: ['Bart'] },
      { use: 'official', given: ['Bartholomew', 'JoJo'], family: 'Simpson' },
    ],
  },
  coverage: { memberId: 'W123', copay: 40 },
}
const now = '2025-03-10T09:15:00.000Z'
const run = (assignments: unknown[]) => {
  const ctx = createFakeContext({ facts, now })
  return assign.execute(ctx, assign.config.parse({ assignments }))
}
const issues = (assignments: unknown[]) => {
  const result = assign.config.safeParse({ assignments })
  return result.success ? [] : result.error.issues.map((issue) => issue.message)
}

describe('assign', () => {
  it('sets literals and copies facts, absent ones as null', () => {
    expect(
      run([
        { path: 'status.step', value: 'verified' },
        { path: 'status.flags', value: { urgent: false, codes: [1, 2] } },
        { path: 'claim.memberId', from: 'coverage.memberId' },
        { path: 'claim.groupId', from: 'coverage.groupId' },
      ]),
    ).toEqual({
      kind: 'next',
      port: 'next',
      set: {
        'status.step': 'verified',
        'status.flags': { urgent: false, codes: [1, 2] },
        'claim.memberId': 'W123',
        'claim.groupId': null,
      },
    })
  })

  it('evaluates FHIRPath over the facts', () => {
    const outcome = run([
      { path: 'display.given', fhirpath: "patient.name.where(use = 'official').given.first()" },
      { path: 'display.allGiven', fhirpath: 'patient.name.given', result: 'list' },
      { path: 'cost.high', fhirpath: 'coverage.copay > 25' },
      { path: 'cost.none', fhirpath: 'coverage.deductible' },
    ])
    expect(outcome).toMatchObject({
      set: {
        'display.given': 'Bartholomew',
        'display.allGiven': ['Bart', 'Bartholomew', 'JoJo'],
        'cost.high': true,
        'cost.none': null,
      },
    })
  })

  it('takes now() and today() from the injected clock, never the wall clock', () => {
    expect(
      run([
        { path: 'audit.at', fhirpath: 'now()' },
        { path: 'audit.day', fhirpath: 'today()' },
        { path: 'audit.adult', fhirpath: 'patient.birthDate < today() and today() > @2025-01-01' },
      ]),
    ).toMatchObject({ set: { 'audit.at': now, 'audit.day': '2025-03-10', 'audit.adult': true } })
    const later = assign.execute(
      createFakeContext({ facts, now: '2031-12-31T23:00:00.000Z' }),
      assign.config.parse({ assignments: [{ path: 'audit.day', fhirpath: 'today()' }] }),
    )
    expect(later).toMatchObject({ set: { 'audit.day': '2031-12-31' } })
  })

  it('fails a run whose expression gives several values for a single fact', () => {
    expect(() => run([{ path: 'display.given', fhirpath: 'patient.name.given' }])).toThrow(NodeError)
    expect(() => run([{ path: 'display.given', fhirpath: 'patient.name.given' }])).toThrow(/gave 3 values/)
  })

  it('refuses unusable expressions when the flow is validated', () => {
    expect(issues([{ path: 'a', fhirpath: 'patient.(' }])[0]).toMatch(/does not parse/)
    expect(issues([{ path: 'a', fhirpath: 'frobnicate(patient)' }])).toEqual(['FHIRPath has no function frobnicate().'])
    expect(issues([{ path: 'a', fhirpath: 'today() - 18 years' }])[0]).toMatch(/Date arithmetic/)
    expect(issues([{ path: 'a', fhirpath: "patient.birthDate + 2 'd'" }])[0]).toMatch(/Date arithmetic/)
    expect(issues([{ path: 'a', fhirpath: 'coverage.copay + 5' }])).toEqual([])
  })

  it('refuses two assignments to the same or overlapping facts', () => {
    expect(
      issues([
        { path: 'a.b', value: 1 },
        { path: 'a.b', value: 2 },
      ]),
    ).toEqual(['"a.b" is also set by the assignment to "a.b"'])
    expect(
      issues([
        { path: 'a', value: {} },
        { path: 'a.b', value: 2 },
      ]),
    ).toHaveLength(1)
    expect(issues([{ path: 'a', value: 1, from: 'b' }])).not.toEqual([])
  })

  it('declares what it writes and the facts it reads, FHIRPath roots included', () => {
    const config = assign.config.parse({
      assignments: [
        { path: 'x', from: 'coverage.memberId' },
        { path: 'y', fhirpath: "iif(coverage.copay > 25, patient.name.where(use = 'official').family, 'none')" },
        { path: 'z', value: 1 },
      ],
    })
    expect(assign.writes(config)).toEqual(['x', 'y', 'z'])
    expect(assign.ports(config).map((port) => [port.name, port.required])).toEqual([
      ['next', true],
      ['error', false],
    ])
    expect(
      assign.ports(assign.config.parse({ assignments: [{ path: 'z', value: 1 }] })).map((port) => port.name),
    ).toEqual(['next'])
    expect(assign.reads(config)).toEqual(['coverage.memberId', 'coverage', 'patient'])
  })

  it('parses each expression once per node and warns when it sets nothing', () => {
    const ctx = createFakeContext({ facts, now })
    const config = assign.config.parse({ assignments: [{ path: 'y', fhirpath: 'coverage.copay' }] })
    assign.execute(ctx, config)
    assign.execute(ctx, config)
    expect(ctx.memoBuilds).toBe(1)
    const env = { factsSchema: { type: 'object' as const }, roles: {} }
    expect(assign.check!(assign.config.parse(assign.defaults), env)).toMatchObject([
      { severity: 'warning', path: 'assignments' },
    ])
  })
})

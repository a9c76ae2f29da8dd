import { describe, expect, it } from 'vitest'
import { CURRENT_FORMAT, CURRENT_FORMAT_VERSION } from './flow.schema.ts'
import {
  FLOW_FORMAT_MIGRATIONS,
  formatName,
  migrateFlow,
  upgradeFormat,
  upgradeNodeConfig,
  upgradeNodeConfigs,
  type FormatMigration,
} from './migrate.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testRegistry } from './testing/test-registry.ts'

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

// A test-only history: format 2 renamed `name` to `title`, format 3 moved `entry` to `start`.
const testSequence: FormatMigration[] = [
  { to: 2, name: 'rename-name-to-title', up: ({ name, ...rest }) => ({ ...rest, title: name }) },
  { to: 3, name: 'rename-entry-to-start', up: ({ entry, ...rest }) => ({ ...rest, start: entry }) },
]

describe('format migrations', () => {
  it('the production sequence ends at the current format', () => {
    expect(1 + FLOW_FORMAT_MIGRATIONS.length).toBe(CURRENT_FORMAT_VERSION)
    expect(formatName(CURRENT_FORMAT_VERSION)).toBe(CURRENT_FORMAT)
    FLOW_FORMAT_MIGRATIONS.forEach((step, index) => expect(step.to).toBe(index + 2))
  })

  it('applies each step in order, numbered and named, without touching the input', () => {
    const v1 = deepFreeze({ dsl: 'carepath.flow/1', name: 'Old', entry: 'a', nested: { keep: [1, 2] } })
    const result = upgradeFormat(v1, testSequence)
    expect(result.problems).toEqual([])
    expect(result.document).toEqual({ dsl: 'carepath.flow/3', title: 'Old', start: 'a', nested: { keep: [1, 2] } })
    expect(result.applied).toEqual(['format 2: rename-name-to-title', 'format 3: rename-entry-to-start'])
    expect(result.document?.['nested']).not.toBe(v1.nested)
  })

  it('starts from the document’s own format', () => {
    const result = upgradeFormat({ dsl: 'carepath.flow/2', title: 'Mid', entry: 'b' }, testSequence)
    expect(result.applied).toEqual(['format 3: rename-entry-to-start'])
    expect(result.document).toEqual({ dsl: 'carepath.flow/3', title: 'Mid', start: 'b' })
  })

  it('refuses a newer format with a clear sentence', () => {
    const result = upgradeFormat({ dsl: 'carepath.flow/4' }, testSequence)
    expect(result.document).toBeUndefined()
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'unsupported-format',
        message: expect.stringMatching(/carepath\.flow\/4.*newer.*carepath\.flow\/3/),
      }),
    ])
  })

  it('refuses documents without a flow format, and reports a failing step', () => {
    expect(upgradeFormat('text').problems[0]?.code).toBe('invalid-document')
    expect(upgradeFormat({ dsl: 'other/1' }).problems[0]).toMatchObject({ code: 'invalid-document', path: 'dsl' })
    const failing: FormatMigration[] = [
      {
        to: 2,
        name: 'explode',
        up: () => {
          throw new Error('no nodes')
        },
      },
    ]
    expect(upgradeFormat({ dsl: 'carepath.flow/1' }, failing).problems[0]?.message).toContain('(explode): no nodes')
  })
})

describe('node config migrations', () => {
  const withLegacy = (typeVersion: number, config: Record<string, unknown>) => {
    const doc = sampleFlow()
    doc.nodes['legacy'] = { type: 'test.legacy', typeVersion, config, next: { default: 'done' } }
    return deepFreeze(doc)
  }

  it('runs a node type’s steps from the node’s typeVersion up to the registry’s', () => {
    const result = upgradeNodeConfigs(withLegacy(1, { limit: 5 }), testRegistry)
    expect(result.applied).toEqual([
      'node legacy: test.legacy 2: rename-limit-to-threshold',
      'node legacy: test.legacy 3: wrap-threshold-in-range',
    ])
    expect(result.document?.['nodes']).toMatchObject({ legacy: { typeVersion: 3, config: { range: { min: 5 } } } })
    const fromTwo = upgradeNodeConfigs(withLegacy(2, { threshold: 9 }), testRegistry)
    expect(fromTwo.applied).toEqual(['node legacy: test.legacy 3: wrap-threshold-in-range'])
  })

  it('leaves current, newer and unknown nodes alone for validation to report', () => {
    const doc = withLegacy(4, { whatever: true })
    const result = upgradeNodeConfigs(doc, testRegistry)
    expect(result.applied).toEqual([])
    expect(result.document).toEqual(doc)
  })
})

describe('upgradeNodeConfig', () => {
  const legacy = {
    type: 'test.legacy',
    migrations: [
      { to: 2, name: 'add-b', up: (config: Record<string, unknown>) => ({ ...config, b: 2 }) },
      {
        to: 3,
        name: 'needs-b',
        up: (config: Record<string, unknown>) => {
          if (config['b'] !== 2) throw new Error('b is missing')
          return { ...config, c: 3 }
        },
      },
    ],
  }

  it('runs the steps above the given version on copies, never touching the input', () => {
    const input = deepFreeze({ a: 1 })
    expect(upgradeNodeConfig(legacy, 1, input)).toEqual({
      ok: true,
      config: { a: 1, b: 2, c: 3 },
      version: 3,
      applied: ['test.legacy 2: add-b', 'test.legacy 3: needs-b'],
    })
    const current = upgradeNodeConfig(legacy, 3, input)
    expect(current).toEqual({ ok: true, config: { a: 1 }, version: 3, applied: [] })
    expect(current.ok && current.config).not.toBe(input)
  })

  it('says at which version a step failed and why', () => {
    expect(upgradeNodeConfig(legacy, 2, { a: 1 })).toEqual({ ok: false, version: 2, reason: 'b is missing' })
  })
})

describe('migrateFlow', () => {
  it('returns the parsed current document and the steps applied', () => {
    const doc = sampleFlow()
    doc.nodes['legacy'] = { type: 'test.legacy', typeVersion: 1, config: { limit: 5 }, next: { default: 'done' } }
    const result = migrateFlow(deepFreeze(doc), testRegistry)
    expect(result.ok && result.applied).toHaveLength(2)
    expect(result.ok && result.document.nodes['legacy']?.config).toEqual({ range: { min: 5 } })
  })

  it('fails with problems for a newer format or a shapeless document', () => {
    const newer = migrateFlow({ ...sampleFlow(), dsl: 'carepath.flow/9' }, testRegistry)
    expect(!newer.ok && newer.problems[0]?.code).toBe('unsupported-format')
    const shapeless = migrateFlow({ dsl: 'carepath.flow/1', id: 'x' }, testRegistry)
    expect(!shapeless.ok && shapeless.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['title', 'nodes']))
  })
})

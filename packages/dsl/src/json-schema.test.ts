import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { flowJsonSchema, flowJsonSchemaText } from './json-schema.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testRegistry } from './testing/test-registry.ts'

const compile = (schema: object) => new Ajv({ strict: false, allErrors: true }).compile(schema)

describe('flowJsonSchema', () => {
  it('the committed packages/dsl/flow.schema.json is up to date (regenerate: pnpm exec tsx packages/dsl/scripts/write-flow-schema.ts)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', 'flow.schema.json'), 'utf8')
    expect(committed).toBe(flowJsonSchemaText())
  })

  it('accepts a valid document and rejects a shapeless one, as an outside tool would', () => {
    const validate = compile(flowJsonSchema())
    expect(validate(sampleFlow())).toBe(true)
    expect(validate({ ...sampleFlow(), dsl: 'carepath.flow/2' })).toBe(false)
    const noTitle: Record<string, unknown> = { ...sampleFlow() }
    delete noTitle['title']
    expect(validate(noTitle)).toBe(false)
    // The recursive facts schema is checked too.
    expect(validate({ ...sampleFlow(), facts: { type: 'object', properties: { a: { type: 'text' } } } })).toBe(false)
  })

  it('with a registry, checks each node config against its type (for Monaco)', () => {
    const validate = compile(flowJsonSchema(testRegistry))
    expect(validate(sampleFlow())).toBe(true)
    const badThreshold = sampleFlow()
    badThreshold.nodes['check']!.config['threshold'] = 'high'
    expect(validate(badThreshold)).toBe(false)
    const unknownType = sampleFlow()
    unknownType.nodes['check']!.type = 'acme.fax'
    expect(validate(unknownType)).toBe(false)
    const newerVersion = sampleFlow()
    newerVersion.nodes['check']!.typeVersion = 2
    expect(validate(newerVersion)).toBe(false)
    // Without the registry the same configs are free-form.
    expect(compile(flowJsonSchema())(badThreshold)).toBe(true)
  })

  it('names the recursive facts schema definition', () => {
    expect(Object.keys(flowJsonSchema()['definitions'] as object)).toEqual(['FactSchema'])
  })
})

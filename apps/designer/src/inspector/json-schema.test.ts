import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { registry } from '../registry.ts'
import { defaultFor, discriminatedUnion, literalOptions, resolve, type JsonSchema } from './json-schema.ts'

describe('the generated inspector form', () => {
  it('has a JSON Schema object form for every installed node type (no hand-written forms)', () => {
    for (const nodeType of registry.list()) {
      const schema = z.toJSONSchema(nodeType.config, { io: 'input', unrepresentable: 'any' }) as JsonSchema
      const root = resolve(schema, schema)
      // Either an object with named fields or a union of them told apart by one field (wait's mode).
      const drawable =
        (root.type === 'object' && root.properties !== undefined) || discriminatedUnion(root, schema) !== undefined
      expect(drawable, nodeType.type).toBe(true)
    }
  })

  it('starts new array items from the item schema, following $refs', () => {
    const schema = z.toJSONSchema(
      z.object({
        fields: z.array(
          z.object({ name: z.string(), type: z.enum(['string', 'number']), required: z.boolean().default(false) }),
        ),
      }),
      { io: 'input' },
    ) as JsonSchema
    const item = schema.properties!.fields!.items!
    expect(defaultFor(item, schema)).toEqual({ name: '', type: 'string' })
    expect(literalOptions(resolve(item, schema).properties!.type!, schema)).toEqual(['string', 'number'])
  })
})

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { factSchemaSchema, type FactSchema } from '@carepath/dsl'
import { addFactPath } from './add-fact-path.ts'
import {
  addField,
  fieldProblems,
  newField,
  removeField,
  schemaToTree,
  treeToSchema,
  updateField,
} from './facts-tree.model.ts'
import { roleProblems, rolesToRows, rowsToRoles } from './roles.model.ts'

const examples = join(import.meta.dirname, '../../../../../examples')
const exampleFacts = readdirSync(examples)
  .filter((f) => f.endsWith('.flow.json'))
  .map((f): [string, FactSchema] => {
    const document: { facts: unknown } = JSON.parse(readFileSync(join(examples, f), 'utf8'))
    return [f, factSchemaSchema.parse(document.facts)]
  })

describe('facts tree ↔ JSON Schema', () => {
  it.each(exampleFacts)('%s: the tree gives back the same schema', (_name, facts) => {
    expect(treeToSchema(schemaToTree(facts))).toEqual(facts)
  })

  it('keeps what the form does not show (enum, title) and nests lists of groups', () => {
    const facts: FactSchema = {
      type: 'object',
      required: ['visit'],
      properties: {
        visit: { type: 'string', title: 'Visit kind', enum: ['new', 'follow-up'], 'x-phi': 'none' },
        labs: {
          type: 'array',
          'x-phi': 'clinical',
          items: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
        },
      },
    }
    const tree = schemaToTree(facts)
    expect(tree.fields.map((f) => [f.name, f.required])).toEqual([
      ['visit', true],
      ['labs', false],
    ])
    expect(tree.fields[1]?.children.map((f) => [f.name, f.required])).toEqual([['code', true]])
    expect(treeToSchema(tree)).toEqual(facts)
  })

  it('builds a schema from an empty one: add, nest, classify, require, remove', () => {
    let tree = schemaToTree({ type: 'object', properties: {} })
    const patient = newField('patient')
    tree = addField(tree, undefined, patient)
    tree = updateField(tree, patient.key, { schema: { type: 'object' } })
    const birth = newField('birthDate')
    tree = addField(tree, patient.key, birth)
    tree = updateField(tree, birth.key, {
      required: true,
      schema: { format: 'date', 'x-phi': 'demographic', description: 'As on the insurance card' },
    })
    const scratch = newField('scratch')
    tree = addField(tree, undefined, scratch)
    tree = removeField(tree, scratch.key)
    const schema = treeToSchema(tree)
    expect(schema).toEqual({
      type: 'object',
      properties: {
        patient: {
          type: 'object',
          required: ['birthDate'],
          properties: {
            birthDate: {
              type: 'string',
              format: 'date',
              'x-phi': 'demographic',
              description: 'As on the insurance card',
            },
          },
        },
      },
    })
    expect(factSchemaSchema.safeParse(schema).success).toBe(true)
  })

  it('drops a text format when the type changes, and clears a PHI class set back to none chosen', () => {
    const field = newField('copay')
    let tree = addField(schemaToTree({ type: 'object' }), undefined, field)
    tree = updateField(tree, field.key, { schema: { format: 'date', 'x-phi': 'financial' } })
    tree = updateField(tree, field.key, { schema: { type: 'number', 'x-phi': undefined } })
    expect(treeToSchema(tree).properties).toEqual({ copay: { type: 'number' } })
  })

  it('names empty, malformed and repeated field names, in plain words', () => {
    let tree = schemaToTree({ type: 'object' })
    tree = addField(tree, undefined, newField('age'))
    tree = addField(tree, undefined, newField('age'))
    tree = addField(tree, undefined, newField('first name'))
    tree = addField(tree, undefined, newField(''))
    expect(fieldProblems(tree.fields).map((p) => p.message)).toEqual([
      'Two fields at the top level are named “age”.',
      '“first name” is not a usable field name: use letters, digits and _ and start with a letter.',
      'A field at the top level has no name.',
    ])
  })
})

describe('Add to facts', () => {
  it('declares a missing path, creating its groups, and leaves the rest as it was', () => {
    const facts: FactSchema = {
      type: 'object',
      properties: { refill: { type: 'object', properties: { drug: { type: 'string', 'x-phi': 'clinical' } } } },
    }
    expect(addFactPath(facts, 'refill.approval.answer')).toEqual({
      type: 'object',
      properties: {
        refill: {
          type: 'object',
          properties: {
            drug: { type: 'string', 'x-phi': 'clinical' },
            approval: { type: 'object', properties: { answer: { type: 'string' } } },
          },
        },
      },
    })
    expect(facts.properties?.refill?.properties?.approval).toBeUndefined()
  })

  it('refuses a path through a field that is not a group', () => {
    expect(addFactPath({ type: 'object', properties: { a: { type: 'string' } } }, 'a.b')).toBeUndefined()
  })
})

describe('roles form', () => {
  it('round-trips roles and says what keeps a row from being written', () => {
    const roles = {
      pharmacist: { title: 'Pharmacist', phi: ['none' as const, 'clinical' as const] },
      clerk: { phi: [] },
    }
    expect(rowsToRoles(rolesToRows(roles))).toEqual(roles)
    const rows = [...rolesToRows(roles), ...rolesToRows({ pharmacist: { phi: [] } })]
    expect(roleProblems(rows).map((p) => p.message)).toEqual(['The queue “pharmacist” is listed twice.'])
    expect(roleProblems([{ key: 'k', queue: 'Front Desk', title: '', phi: [] }])[0]?.message).toMatch(
      /not a usable queue name/,
    )
  })
})

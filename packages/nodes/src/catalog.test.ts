// The catalog is the one list every app builds its registry from, so a node type that is
// written but not listed silently disappears from the designer and the runtime.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createNodeRegistry, PHI_CLASSES, type AnyNodeType } from '@carepath/dsl'
import { builtinNodeTypes } from './catalog.ts'

// The designer generates the inspector from these descriptions, so every config field needs
// one. These types still have undescribed fields; remove an entry once its fields are described.
const NOT_YET_DESCRIBED = new Set<string>([])

const srcDir = fileURLToPath(new URL('.', import.meta.url))

function nodeFiles(): string[] {
  return readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'testing')
    .flatMap((dir) =>
      readdirSync(`${srcDir}/${dir.name}`)
        .filter((file) => file.endsWith('.node.ts'))
        .map((file) => `./${dir.name}/${file}`),
    )
}

function isNodeType(value: unknown): value is AnyNodeType {
  return typeof value === 'object' && value !== null && 'type' in value && 'execute' in value && 'config' in value
}

describe('builtinNodeTypes', () => {
  it('lists every node type exported from every node folder', async () => {
    const files = nodeFiles()
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const exported = Object.values((await import(file)) as Record<string, unknown>).filter(isNodeType)
      expect(exported.length, `${file} exports no node type`).toBeGreaterThan(0)
      for (const nodeType of exported) {
        expect(builtinNodeTypes, `${nodeType.type} from ${file} is not in catalog.ts`).toContain(nodeType)
      }
    }
  })

  it('finds config fields that lack a description (the check below can fail)', () => {
    const schema = z.object({ a: z.string().describe('A'), b: z.object({ c: z.number() }).describe('B') })
    expect(undescribedFields(schema)).toEqual(['config.b.c'])
  })

  it('declares on every type exactly the connectors its node file calls', async () => {
    for (const file of nodeFiles()) {
      const source = readFileSync(`${srcDir}/${file}`, 'utf8')
      const called = new Set([...source.matchAll(/ctx\.call\('([a-z0-9-]+)'/g)].map((m) => m[1]))
      if (/\bcallFhir\(/.test(source)) called.add('fhir')
      if (/\bcallCrm\(/.test(source)) called.add('crm')
      const exported = Object.values((await import(file)) as Record<string, unknown>).filter(isNodeType)
      for (const nodeType of exported) {
        expect(Object.hasOwn(nodeType, 'connectors'), `${nodeType.type} writes out its connectors`).toBe(true)
        expect(nodeType.connectors?.map((c) => c.name).sort(), nodeType.type).toEqual([...called].sort())
      }
    }
  })

  it('builds a registry (no duplicate type ids)', () => {
    expect(createNodeRegistry(builtinNodeTypes).list()).toHaveLength(builtinNodeTypes.length)
  })

  for (const nodeType of builtinNodeTypes) {
    describe(nodeType.type, () => {
      const config = nodeType.config.parse(nodeType.defaults)

      it('has defaults that pass its config schema', () => {
        expect(nodeType.config.safeParse(nodeType.defaults).success).toBe(true)
      })

      it('declares its PHI classes explicitly', () => {
        expect(Object.hasOwn(nodeType, 'phi')).toBe(true)
        expect(Array.isArray(nodeType.phi)).toBe(true)
        for (const phiClass of nodeType.phi) expect(PHI_CLASSES).toContain(phiClass)
      })

      it('has an icon that draws without an emoji font', () => {
        expect(iconProblem(nodeType.icon)).toBeUndefined()
      })

      it('offers uniquely named ports for its defaults', () => {
        const names = nodeType.ports(config).map((port) => port.name)
        expect(new Set(names).size).toBe(names.length)
      })

      it.skipIf(NOT_YET_DESCRIBED.has(nodeType.type))('describes every config field for the inspector', () => {
        expect(undescribedFields(nodeType.config)).toEqual([])
      })

      it('declares role and shown facts when it is a human step', () => {
        if (!nodeType.answer) return
        expect(nodeType.human).toBeDefined()
        expect(typeof nodeType.human?.role(config)).toBe('string')
      })
    })
  }
})

/** Object properties in the config's JSON Schema that carry no description. */
function undescribedFields(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  const missing: string[] = []
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${path}[${i}]`))
    if (node === null || typeof node !== 'object') return
    const record = node as Record<string, unknown>
    const properties = record['properties']
    if (properties && typeof properties === 'object') {
      for (const [key, child] of Object.entries(properties as Record<string, unknown>)) {
        const childRecord = child as Record<string, unknown>
        if (typeof childRecord['description'] !== 'string') missing.push(`${path}.${key}`)
        walk(child, `${path}.${key}`)
      }
    }
    for (const [key, child] of Object.entries(record)) if (key !== 'properties') walk(child, path)
  }
  walk(json, 'config')
  return missing
}

/**
 * Why an icon would draw as an empty box on a desktop without an emoji font (most Linux
 * installations, many locked-down hospital images), or undefined when it draws. Pictographs
 * (Unicode's Extended_Pictographic: emoji, and symbols like ⏱ that are emoji as well) are left
 * out of the common text fonts; arrows, geometric shapes and letters are in them.
 */
function iconProblem(icon: string): string | undefined {
  const chars = [...icon]
  if (chars.length === 0 || chars.length > 2) return `"${icon}" is not one or two characters`
  if (chars.some((char) => /\p{Extended_Pictographic}/u.test(char))) return `"${icon}" is a pictograph (emoji)`
  if (icon.includes('\uFE0F')) return `"${icon}" asks for emoji presentation (U+FE0F)`
  return undefined
}

describe('iconProblem', () => {
  it('finds emoji that need an emoji font (the check above can fail)', () => {
    expect(iconProblem('🔥')).toMatch(/pictograph/)
    expect(iconProblem('⏱')).toMatch(/pictograph/)
    expect(iconProblem('✐\uFE0F')).toMatch(/emoji presentation/)
    expect(iconProblem('')).toMatch(/not one or two/)
    expect(iconProblem('H7')).toBeUndefined()
    expect(iconProblem('◷')).toBeUndefined()
  })
})

// The layering rule of STYLE.md, checked rather than hoped for:
// dsl ← rules ← nodes ← {catalog, engine} ← {runtime, designer}, and the packages under
// packages/ stay free of React, express, drizzle and node:* I/O so the designer can run them.
// Each package says where it sits in its own package.json (`"carepath": { "layer": n }`), and an
// extension package says so too (`"plugin": true`): the test reads that metadata, so a new
// package or extension needs no edit here.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')

interface Manifest {
  name: string
  dependencies?: Record<string, string>
  /** Where the package sits: its layer, and whether it is an extension an installation adds. */
  carepath?: { layer?: number; plugin?: boolean }
}

/** Every workspace package folder (pnpm-workspace.yaml, with `dir/*` expanded). */
function workspaceDirs(): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
  // The `packages:` list: indented `- entry` lines up to the next top-level key.
  const section = /^packages:\n((?:[ \t]+.*\n?)*)/m.exec(yaml)?.[1] ?? ''
  const entries = [...section.matchAll(/^\s+-\s+['"]?([^'"\s#]+)['"]?\s*$/gm)].map((m) => m[1] as string)
  return entries
    .flatMap((entry) =>
      entry.endsWith('/*')
        ? readdirSync(join(root, entry.slice(0, -2))).map((name) => join(root, entry.slice(0, -2), name))
        : [join(root, entry)],
    )
    .filter((dir) => existsSync(join(dir, 'package.json')))
}

const manifests = new Map<string, { dir: string; manifest: Manifest }>(
  workspaceDirs().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
    return [manifest.name, { dir, manifest }]
  }),
)

/** What the layering rule covers: everything under packages/, and every extension package. */
const layered = [...manifests.values()].filter(
  ({ dir, manifest }) => relative(root, dir).startsWith('packages/') || manifest.carepath?.plugin === true,
)

const forbiddenInPackages = [
  /^react/,
  /^express/,
  /^drizzle-orm/,
  /^better-sqlite3/,
  /^node:/,
  /^@carepath\/runtime/,
  /^@carepath\/designer/,
]

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'dist') return []
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  )
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string)
  return [...specifiers, ...dynamic]
}

/** The product: what ships, whatever an installation adds. */
const product = [...manifests.values()].filter(({ dir }) => /^(packages|apps)\//.test(relative(root, dir)))

describe('the product ships no extension package (an installation adds those by configuration)', () => {
  for (const { manifest } of product) {
    it(`${manifest.name} depends on no extension package`, () => {
      const plugins = Object.keys(manifest.dependencies ?? {}).filter(
        (d) => manifests.get(d)?.manifest.carepath?.plugin,
      )
      expect(plugins).toEqual([])
    })
  }
})

describe('dependency direction', () => {
  it('finds the layered packages and an extension among them (the rule reads real metadata)', () => {
    const names = layered.map(({ manifest }) => manifest.name)
    expect(names).toEqual(expect.arrayContaining(['@carepath/dsl', '@carepath/nodes', '@carepath/catalog']))
    expect(layered.some(({ manifest }) => manifest.carepath?.plugin)).toBe(true)
  })

  for (const { dir, manifest } of layered) {
    it(`${manifest.name} depends only on the layers below it`, () => {
      const layer = manifest.carepath?.layer
      expect(layer, `${manifest.name} needs "carepath": { "layer": n } in its package.json`).toBeDefined()
      const offenders = Object.keys(manifest.dependencies ?? {})
        .filter((d) => d.startsWith('@carepath/'))
        .filter((d) => {
          const below = manifests.get(d)?.manifest.carepath?.layer
          return below === undefined || layer === undefined || below >= layer
        })
      expect(offenders).toEqual([])
    })

    it(`${manifest.name} imports no UI, server, database or node:* I/O in its sources`, () => {
      const offenders = sourceFiles(join(dir, 'src')).flatMap((file) =>
        importsOf(file)
          .filter((spec) => forbiddenInPackages.some((pattern) => pattern.test(spec)))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      )
      expect(offenders).toEqual([])
    })

    it(`${manifest.name} imports workspace packages only through its declared dependencies`, () => {
      const declared = new Set(Object.keys(manifest.dependencies ?? {}))
      const offenders = sourceFiles(join(dir, 'src')).flatMap((file) =>
        importsOf(file)
          // A subpath export (`@carepath/engine/testing`) belongs to its package.
          .filter((spec) => spec.startsWith('@carepath/') && !declared.has(spec.split('/').slice(0, 2).join('/')))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      )
      expect(offenders).toEqual([])
    })
  }
})

/**
 * Imports of the runtime in one source text that survive compilation: every form except
 * `import type … from` and `export type … from` (an inline `import { type X }` still loads the module).
 */
function runtimeValueImports(text: string): string[] {
  const isRuntime = (spec: string) => spec.startsWith('@carepath/runtime') || /(^|\/)runtime\/src(\/|$)/.test(spec)
  const statements = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/g)]
    .filter((m) => !m[1])
    .map((m) => m[2] as string)
  const bare = [...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string)
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string)
  return [...statements, ...bare, ...dynamic].filter(isRuntime)
}

// The designer runs in the browser beside the runtime, not on it: it may import the runtime's
// types (its router type, for the typed tRPC client), never the runtime's code (express, SQLite).
describe('designer and runtime', () => {
  const designer = join(root, 'apps', 'designer')

  it('a type-only import of the runtime is allowed, a value import is not', () => {
    expect(runtimeValueImports("import type { AppRouter } from '@carepath/runtime'")).toEqual([])
    expect(runtimeValueImports("export type { AppRouter } from '@carepath/runtime'")).toEqual([])
    expect(runtimeValueImports("import { appRouter } from '@carepath/runtime'")).toEqual(['@carepath/runtime'])
    expect(runtimeValueImports("import { type AppRouter } from '@carepath/runtime'")).toEqual(['@carepath/runtime'])
    expect(runtimeValueImports("import x from '../../runtime/src/trpc/routers/_app.ts'")).toEqual([
      '../../runtime/src/trpc/routers/_app.ts',
    ])
    expect(runtimeValueImports("const m = await import('@carepath/runtime')")).toEqual(['@carepath/runtime'])
  })

  it('the designer imports the runtime only as types', () => {
    const offenders = sourceFiles(join(designer, 'src')).flatMap((file) =>
      runtimeValueImports(readFileSync(file, 'utf8')).map((spec) => `${relative(root, file)} imports ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it('the designer lists the runtime as a development dependency only (types, not shipped code)', () => {
    const manifest = JSON.parse(readFileSync(join(designer, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
    }
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@carepath/runtime')
  })
})

// The package surface: what other packages and the browser can rely on.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as dsl from './index.ts'

const sources = readdirSync(import.meta.dirname, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'))

describe('@carepath/dsl', () => {
  it('exports the whole toolkit', () => {
    for (const name of [
      'validateFlow',
      'migrateFlow',
      'contentHash',
      'canonicalJson',
      'flowToGraph',
      'graphToFlow',
      'diffFlows',
      'summarizeDiff',
      'flowJsonSchema',
      'redactFacts',
      'redactExplanation',
      'defineNodeType',
      'createNodeRegistry',
    ]) {
      expect(typeof (dsl as Record<string, unknown>)[name], name).toBe('function')
    }
  })

  it('imports nothing from node:* (it must run in the browser)', () => {
    const offenders = sources.filter((f) =>
      /from ['"]node:|require\(['"]node:/.test(readFileSync(join(import.meta.dirname, f), 'utf8')),
    )
    expect(offenders).toEqual([])
  })

  it('documents every export with JSDoc', () => {
    const undocumented: string[] = []
    for (const file of sources) {
      const lines = readFileSync(join(import.meta.dirname, file), 'utf8').split('\n')
      let previous = ''
      for (const line of lines) {
        if (/^export (?!\* from|type \{)/.test(line) && !/\*\/\s*$/.test(previous))
          undocumented.push(`${file}: ${line.slice(0, 60)}`)
        if (line.trim() && !line.trim().startsWith('//')) previous = line
      }
    }
    expect(undocumented).toEqual([])
  })
})

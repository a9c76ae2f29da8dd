// Evaluation must be a function of its inputs: this scan fails when code that runs inside a run
// (the engine, the rules adapter, the built-in nodes) reads the wall clock, draws randomness,
// waits on real timers or iterates something whose order is not defined by the data.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const scanned = ['packages/engine/src', 'packages/rules/src', 'packages/nodes/src']

const forbidden: { pattern: RegExp; why: string }[] = [
  { pattern: /\bDate\.now\s*\(/, why: 'reads the wall clock (use the injected clock)' },
  { pattern: /\bnew Date\s*\(\s*\)/, why: 'reads the wall clock (use the injected clock)' },
  { pattern: /(?<![\w.])Date\s*\(\s*\)/, why: 'reads the wall clock' },
  { pattern: /\bMath\.random\s*\(/, why: 'draws randomness' },
  { pattern: /\bcrypto\.(randomUUID|getRandomValues|randomBytes)\b/, why: 'draws randomness' },
  { pattern: /\bperformance\.now\s*\(/, why: 'reads a timer' },
  { pattern: /\bprocess\.hrtime\b/, why: 'reads a timer' },
  {
    pattern: /\b(setTimeout|setInterval|setImmediate)\s*\(/,
    why: 'waits on real time (use the injected sleep or clock)',
  },
  { pattern: /\bPromise\.(race|any)\s*\(/, why: 'lets timing choose a result' },
  { pattern: /\b(WeakRef|FinalizationRegistry)\b/, why: 'depends on garbage collection' },
  {
    pattern: /\bfor\s*\(\s*(const|let|var)\s+\w+\s+in\b/,
    why: 'for…in walks inherited keys too; iterate Object.keys(...) instead',
  },
  { pattern: /\blocaleCompare\s*\(/, why: 'orders by the machine locale' },
]

function sourceFiles(dir: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(dir).sort()
  } catch {
    return []
  }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'testing' || name === 'fixtures' ? [] : sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

/** Source text without comments and string contents, so prose about Date.now() does not trip it. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, "''")
}

function findNondeterminism(files: readonly string[]): string[] {
  const findings: string[] = []
  for (const file of files) {
    const lines = codeOnly(readFileSync(file, 'utf8')).split('\n')
    lines.forEach((line, index) => {
      for (const { pattern, why } of forbidden) {
        if (pattern.test(line)) findings.push(`${relative(root, file)}:${index + 1}: ${why}`)
      }
    })
  }
  return findings
}

describe('evaluation code', () => {
  it('has no wall-clock, randomness, real timers or undefined iteration order', () => {
    const files = scanned.flatMap((dir) => sourceFiles(join(root, dir)))
    expect(files.length).toBeGreaterThan(10)
    expect(findNondeterminism(files)).toEqual([])
  })

  it('catches each forbidden source (the scan itself works)', () => {
    const samples = [
      'Date.now()',
      'new Date()',
      'Math.random()',
      'performance.now()',
      'setTimeout(f, 1)',
      'for (const k in obj) {}',
      'Promise.race([a, b])',
    ]
    for (const sample of samples) {
      expect(
        forbidden.some(({ pattern }) => pattern.test(codeOnly(sample))),
        sample,
      ).toBe(true)
    }
    expect(forbidden.some(({ pattern }) => pattern.test(codeOnly("new Date(Date.parse('2026-01-01'))")))).toBe(false)
    expect(forbidden.some(({ pattern }) => pattern.test(codeOnly('// never call Date.now() here')))).toBe(false)
  })
})

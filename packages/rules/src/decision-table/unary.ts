import { parseDate } from '../dates.ts'

/**
 * Unary tests, the language of input cells (a small subset of DMN's):
 *   `-` or empty   any value (also a missing one)
 *   `= x` or `x`   equal
 *   `< x` `<= x` `> x` `>= x`   compare (numbers, or ISO dates)
 *   `[a..b]`       inclusive range; `(a..b)` or `]a..b[` exclusive; mix freely: `[a..b)`
 *   `a, b, c`      any of the listed tests (also written `in [a, b, c]`)
 *   `not(...)`     none of them (false for a missing value: absent is never silently true)
 * Literals: numbers, `true`/`false`, ISO dates (`2026-01-31`), `"quoted text"`, or bare text.
 * In a text column every literal is text (a code `123` stays "123").
 */
export type ColumnType = 'number' | 'date' | 'boolean' | 'string'

export type Literal =
  | { type: 'number'; value: number }
  | { type: 'date'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string }

export type Test =
  | { kind: 'cmp'; op: '=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'range'; lo: Literal; hi: Literal; loIn: boolean; hiIn: boolean }

export type Cell = { kind: 'any' } | { kind: 'tests'; negated: boolean; tests: Test[] }

export type ParsedCell = { ok: true; cell: Cell } | { ok: false; message: string }

const NUMBER = /^-?\d+(\.\d+)?$/
const BARE = /^[^,()[\]<>="]+$/

/** Parse one input cell for a column of the given type (undefined: infer from the literal). */
export function parseCell(raw: string | number | boolean, column: ColumnType | undefined): ParsedCell {
  if (typeof raw !== 'string') return parseCell(JSON.stringify(raw), column)
  const text = raw.trim()
  if (text === '' || text === '-') return { ok: true, cell: { kind: 'any' } }
  let negated = false
  let body = text
  const not = /^not\s*\((.*)\)$/s.exec(text)
  if (not) {
    negated = true
    body = (not[1] ?? '').trim()
    if (body === '' || body === '-') return { ok: false, message: 'not(...) needs at least one test inside.' }
  }
  const inList = /^in\s*\[(.*)\]$/s.exec(body)
  if (inList) body = (inList[1] ?? '').trim()
  const parts = splitTop(body)
  if (!parts) return { ok: false, message: `"${text}" has unbalanced quotes or brackets.` }
  const tests: Test[] = []
  for (const part of parts) {
    const test = parseTest(part, column)
    if (typeof test === 'string') return { ok: false, message: test }
    tests.push(test)
  }
  return { ok: true, cell: { kind: 'tests', negated, tests } }
}

function parseTest(text: string, column: ColumnType | undefined): Test | string {
  if (text === '') return 'A list has an empty entry.'
  if (text === '-') return '"-" (any) cannot be part of a list.'
  const range = /^([[\]()])\s*(.+?)\s*\.\.\s*(.+?)\s*([[\]()])$/.exec(text)
  if (range) {
    // Every group takes part in a match; the defaults only satisfy the index type.
    const [, open = '', a = '', b = '', close = ''] = range
    const lo = parseLiteral(a, column)
    const hi = parseLiteral(b, column)
    if (typeof lo === 'string') return lo
    if (typeof hi === 'string') return hi
    if (lo.type !== hi.type || (lo.type !== 'number' && lo.type !== 'date'))
      return `The range "${text}" needs two numbers or two dates.`
    if (compareLiterals(lo, hi) > 0) return `The range "${text}" runs backwards.`
    return { kind: 'range', lo, hi, loIn: open === '[', hiIn: close === ']' }
  }
  const cmp = /^(<=|>=|<|>|=)\s*(.*)$/s.exec(text)
  const op = (cmp?.[1] ?? '=') as '=' | '<' | '<=' | '>' | '>='
  const literal = parseLiteral(cmp ? (cmp[2] ?? '').trim() : text, column)
  if (typeof literal === 'string') return literal
  if (op !== '=' && literal.type !== 'number' && literal.type !== 'date')
    return `"${text}" compares something that is not a number or a date.`
  return { kind: 'cmp', op, value: literal }
}

/** Parse a literal; in a text column everything is text. Returns an error sentence on failure. */
export function parseLiteral(text: string, column: ColumnType | undefined): Literal | string {
  if (text === '') return 'A test is missing its value.'
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) return `${text} is missing its closing quote.`
    return { type: 'string', value: text.slice(1, -1) }
  }
  if (!BARE.test(text)) return `"${text}" is not a value; quote text that holds , ( ) [ ] < > = or ".`
  if (column === 'string') return { type: 'string', value: text }
  if (NUMBER.test(text)) return { type: 'number', value: Number(text) }
  if (text === 'true' || text === 'false') return { type: 'boolean', value: text === 'true' }
  if (/^\d{4}-\d{2}-\d{2}/.test(text))
    return parseDate(text) ? { type: 'date', value: text } : `"${text}" is not a valid ISO date.`
  return { type: 'string', value: text }
}

/** Order two literals of the same type (numbers by value, dates by day/instant). */
export function compareLiterals(a: Literal, b: Literal): number {
  if (a.type === 'number' && b.type === 'number') return Math.sign(a.value - b.value)
  if (a.type === 'date' && b.type === 'date') {
    const x = parseDate(a.value)
    const y = parseDate(b.value)
    return x && y ? Math.sign(x.day - y.day) : 0
  }
  return 0
}

/** Split on commas that are outside quotes and brackets; undefined when unbalanced. */
function splitTop(text: string): string[] | undefined {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"') quoted = !quoted
    else if (quoted) continue
    else if (ch === '[' || ch === '(') depth++
    else if (ch === ']' || ch === ')') depth--
    else if (ch === ',' && depth <= 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  // `]a..b[` style ranges open with ] and close with [: balance counts them as -1 then +1.
  if (quoted) return undefined
  parts.push(text.slice(start).trim())
  return parts
}

// Deterministic input variation for property-style tests: a seeded PRNG (never Math.random)
// perturbs the leaves of a base input, guided by the flow's facts schema where it has one.
import { factAt, type FactSchema, type JsonValue } from '@carepath/dsl'

/** mulberry32: a tiny seeded PRNG, so "random" inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shiftDate(value: string, days: number): string {
  const time = Date.parse(value)
  if (Number.isNaN(time)) return value
  const shifted = new Date(time + days * 86_400_000).toISOString()
  return value.length === 10 ? shifted.slice(0, 10) : shifted
}

/** A copy of `value` with about a third of its leaves changed (numbers, booleans, enums, dates) or removed. */
export function varyInput(value: JsonValue, schema: FactSchema, random: () => number, path = ''): JsonValue {
  if (Array.isArray(value)) return value.map((item) => varyInput(item, schema, random, path))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {}
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key
      if (random() < 0.03) continue // a missing fact
      out[key] = varyInput(value[key] as JsonValue, schema, random, childPath)
    }
    return out
  }
  if (random() > 0.35) return value
  const node = path ? factAt(schema, path) : undefined
  if (node?.enum && node.enum.length > 0) return node.enum[Math.floor(random() * node.enum.length)] ?? value
  if (typeof value === 'number') {
    const scale = Math.max(1, Math.abs(value))
    const next = value + (random() - 0.5) * 2 * scale
    return Number.isInteger(value) ? Math.round(next) : Math.round(next * 100) / 100
  }
  if (typeof value === 'boolean') return random() < 0.5
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value))
    return shiftDate(value, Math.round((random() - 0.5) * 800))
  return value
}

/**
 * Canonical JSON: object keys sorted, no whitespace, undefined dropped. The audit chain hashes this
 * form, so a record hashes the same however its object was built. Kept here (not in the DSL) so the
 * audit format never changes when document hashing does.
 *
 * Written as plain loops that append to one string (no per-level filter/map/join arrays): every
 * audited run step serialises its record through here.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return primitive(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      const item: unknown = value[i]
      out += item === undefined ? 'null' : canonicalJson(item)
    }
    return out + ']'
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) continue
    if (!first) out += ','
    first = false
    out += JSON.stringify(key) + ':' + canonicalJson(item)
  }
  return out + '}'
}

function primitive(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null'
  return JSON.stringify(value) ?? 'null'
}

/**
 * Sets of input values a cell accepts, for table analysis: unions of intervals for numbers and
 * dates (dates as whole UTC days, an integer domain), and include/exclude lists for text,
 * booleans and enums. `missing` says whether the set holds "no value" too: only a `-` cell
 * matches a missing input, so a catch-all row below others is still reachable.
 */
export interface Interval {
  lo: number
  hi: number
  loIn: boolean
  hiIn: boolean
}
export type ValueSet = ({ kind: 'num'; ivs: Interval[] } | { kind: 'disc'; include: boolean; values: string[] }) & {
  missing?: boolean
}

/** The domain of a column: numbers (integers or reals), or discrete values (finite when listed). */
export type Domain = { kind: 'num'; integer: boolean } | { kind: 'disc'; finite?: string[] | undefined }

/** Every present value; with `missing`, the absent value too. */
export function universe(domain: Domain, missing = false): ValueSet {
  if (domain.kind === 'num')
    return { kind: 'num', ivs: [{ lo: -Infinity, hi: Infinity, loIn: false, hiIn: false }], missing }
  return domain.finite
    ? { kind: 'disc', include: true, values: [...domain.finite], missing }
    : { kind: 'disc', include: false, values: [], missing }
}

export function normalize(set: ValueSet, domain: Domain): ValueSet {
  if (set.kind === 'disc') {
    const values = [...new Set(set.values)].sort()
    if (domain.kind === 'disc' && domain.finite) {
      const finite = domain.finite
      return {
        kind: 'disc',
        include: true,
        values: set.include ? values.filter((v) => finite.includes(v)) : finite.filter((v) => !values.includes(v)),
        missing: set.missing === true,
      }
    }
    return { kind: 'disc', include: set.include, values, missing: set.missing === true }
  }
  const integer = domain.kind === 'num' && domain.integer
  let ivs = set.ivs
    .map((iv) => (integer ? toClosedInteger(iv) : iv))
    .filter((iv): iv is Interval => iv !== undefined && !emptyInterval(iv))
  ivs = ivs.sort((a, b) => a.lo - b.lo || (a.loIn === b.loIn ? 0 : a.loIn ? -1 : 1))
  const merged: Interval[] = []
  for (const iv of ivs) {
    const last = merged[merged.length - 1]
    const touches =
      last && (iv.lo < last.hi || (iv.lo === last.hi && (iv.loIn || last.hiIn)) || (integer && iv.lo === last.hi + 1))
    if (last && touches) {
      if (iv.hi > last.hi || (iv.hi === last.hi && iv.hiIn)) {
        last.hi = iv.hi
        last.hiIn = iv.hiIn
      }
    } else merged.push({ ...iv })
  }
  return { kind: 'num', ivs: merged, missing: set.missing === true }
}

function toClosedInteger(iv: Interval): Interval | undefined {
  const lo = iv.lo === -Infinity ? -Infinity : iv.loIn ? Math.ceil(iv.lo) : Math.floor(iv.lo) + 1
  const hi = iv.hi === Infinity ? Infinity : iv.hiIn ? Math.floor(iv.hi) : Math.ceil(iv.hi) - 1
  if (lo > hi) return undefined
  return { lo, hi, loIn: lo !== -Infinity, hiIn: hi !== Infinity }
}

function emptyInterval(iv: Interval): boolean {
  return iv.lo > iv.hi || (iv.lo === iv.hi && !(iv.loIn && iv.hiIn))
}

export function isEmpty(set: ValueSet, domain: Domain): boolean {
  const n = normalize(set, domain)
  if (n.missing) return false
  return n.kind === 'num' ? n.ivs.length === 0 : n.include && n.values.length === 0
}

export function intersect(a: ValueSet, b: ValueSet, domain: Domain): ValueSet {
  return { ...intersectValues(a, b, domain), missing: a.missing === true && b.missing === true }
}

function intersectValues(a: ValueSet, b: ValueSet, domain: Domain): ValueSet {
  if (a.kind === 'num' && b.kind === 'num') {
    const out: Interval[] = []
    for (const x of a.ivs) {
      for (const y of b.ivs) {
        const lo = Math.max(x.lo, y.lo)
        const hi = Math.min(x.hi, y.hi)
        const loIn = x.lo === y.lo ? x.loIn && y.loIn : x.lo > y.lo ? x.loIn : y.loIn
        const hiIn = x.hi === y.hi ? x.hiIn && y.hiIn : x.hi < y.hi ? x.hiIn : y.hiIn
        out.push({ lo, hi, loIn, hiIn })
      }
    }
    return normalize({ kind: 'num', ivs: out }, domain)
  }
  if (a.kind === 'disc' && b.kind === 'disc') {
    if (a.include && b.include)
      return normalize({ kind: 'disc', include: true, values: a.values.filter((v) => b.values.includes(v)) }, domain)
    if (a.include)
      return normalize({ kind: 'disc', include: true, values: a.values.filter((v) => !b.values.includes(v)) }, domain)
    if (b.include)
      return normalize({ kind: 'disc', include: true, values: b.values.filter((v) => !a.values.includes(v)) }, domain)
    return normalize({ kind: 'disc', include: false, values: [...a.values, ...b.values] }, domain)
  }
  throw new Error('Cannot intersect value sets of different kinds.')
}

export function complement(set: ValueSet, domain: Domain): ValueSet {
  const n = normalize(set, domain)
  const missing = !n.missing
  if (n.kind === 'disc') return normalize({ kind: 'disc', include: !n.include, values: n.values, missing }, domain)
  const out: Interval[] = []
  let lo = -Infinity
  let loIn = false
  for (const iv of n.ivs) {
    out.push({ lo, hi: iv.lo, loIn, hiIn: !iv.loIn })
    lo = iv.hi
    loIn = !iv.hiIn
  }
  out.push({ lo, hi: Infinity, loIn, hiIn: false })
  return normalize({ kind: 'num', ivs: out.filter((iv) => iv.lo !== Infinity && iv.hi !== -Infinity), missing }, domain)
}

export function subtract(a: ValueSet, b: ValueSet, domain: Domain): ValueSet {
  return intersect(a, complement(b, domain), domain)
}

export function union(sets: ValueSet[], domain: Domain): ValueSet {
  if (sets.length === 0)
    return domain.kind === 'num' ? { kind: 'num', ivs: [] } : { kind: 'disc', include: true, values: [] }
  return sets.reduce((acc, s) => complement(intersect(complement(acc, domain), complement(s, domain), domain), domain))
}

/** A value inside a non-empty set, for messages ("e.g. age = 17"). */
export function sampleOf(set: ValueSet, domain: Domain): string {
  const n = normalize(set, domain)
  if (n.kind === 'disc') return n.include ? (n.values[0] ?? (n.missing ? 'missing' : '?')) : 'another value'
  const iv = n.ivs[0]
  if (!iv) return n.missing ? 'missing' : '?'
  const integer = domain.kind === 'num' && domain.integer
  if (iv.loIn) return String(iv.lo)
  if (iv.hiIn) return String(iv.hi)
  if (iv.lo === -Infinity && iv.hi === Infinity) return '0'
  if (iv.lo === -Infinity) return String(integer ? iv.hi - 1 : iv.hi - 1)
  if (iv.hi === Infinity) return String(integer ? iv.lo + 1 : iv.lo + 1)
  return String((iv.lo + iv.hi) / 2)
}

/**
 * `matches` accepts only patterns that cannot backtrack catastrophically. A pattern is refused
 * when it is longer than MAX_PATTERN_LENGTH, uses a backreference or lookaround, or puts an
 * unbounded quantifier (`*`, `+`, `{n,}`, `{n,m}` with m > 1) on a group that itself contains a
 * quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(\d{2})*`). Bounded optional groups such as
 * `^[A-Z]\d{2}(\.\d{1,4})?$` stay allowed. Patterns are compiled with the `u` flag.
 */
export const MAX_PATTERN_LENGTH = 200

/** An error sentence for an unsafe or invalid pattern, or undefined when it is safe. */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `The pattern is longer than ${MAX_PATTERN_LENGTH} characters.`
  try {
    new RegExp(pattern, 'u')
  } catch {
    return 'The pattern is not a valid regular expression.'
  }
  // Each open group records whether its body holds a quantifier or alternation.
  const stack: { risky: boolean }[] = []
  let inClass = false
  let lastGroupRisky = false
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    const afterGroup = lastGroupRisky
    lastGroupRisky = false
    if (ch === '\\') {
      const next = pattern[i + 1] ?? ''
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'Backreferences are not allowed in patterns.'
      i++
      continue
    }
    if (inClass) {
      if (ch === ']') inClass = false
      continue
    }
    if (ch === '[') {
      inClass = true
      continue
    }
    if (ch === '(') {
      if (
        pattern.startsWith('(?=', i) ||
        pattern.startsWith('(?!', i) ||
        pattern.startsWith('(?<=', i) ||
        pattern.startsWith('(?<!', i)
      ) {
        return 'Lookahead and lookbehind are not allowed in patterns.'
      }
      stack.push({ risky: false })
      continue
    }
    if (ch === ')') {
      const group = stack.pop()
      lastGroupRisky = group?.risky ?? false
      const parent = stack[stack.length - 1]
      if (parent && group?.risky) parent.risky = true
      continue
    }
    if (ch === '|') {
      const top = stack[stack.length - 1]
      if (top) top.risky = true
      continue
    }
    const quantifier = readQuantifier(pattern, i)
    if (quantifier) {
      if (afterGroup && quantifier.unbounded)
        return 'A repeated group may not itself contain repetition or alternatives (risk of runaway matching).'
      const top = stack[stack.length - 1]
      if (top) top.risky = true
      i += quantifier.length - 1
      if (pattern[i + 1] === '?') i++ // lazy modifier
    }
  }
  return undefined
}

function readQuantifier(pattern: string, i: number): { unbounded: boolean; length: number } | undefined {
  const ch = pattern[i]
  if (ch === '*' || ch === '+') return { unbounded: true, length: 1 }
  if (ch === '?') return { unbounded: false, length: 1 }
  if (ch !== '{') return undefined
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i))
  if (!match) return undefined
  const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3])
  return { unbounded: max > 1, length: match[0].length }
}

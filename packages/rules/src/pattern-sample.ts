/**
 * A text that a simple pattern matches, for case generation (`matches` rules should fire in
 * some generated case). Handles literals, escapes (\d \w \s), classes, `.`, groups, the first
 * alternative and quantifiers (taking their minimum). Returns undefined when unsure; callers
 * verify the sample against the pattern anyway.
 */
export function samplePattern(pattern: string): string | undefined {
  const re = new RegExp(pattern, 'u')
  const text = sample(pattern.replace(/^\^/, '').replace(/\$$/, ''))
  return text !== undefined && re.test(text) ? text : undefined
}

function sample(p: string): string | undefined {
  let out = ''
  let atom = ''
  let i = 0
  const flush = (times: number): void => {
    out += atom.repeat(times)
    atom = ''
  }
  while (i < p.length) {
    const ch = p[i] as string
    if (ch === '|') break // first alternative only
    const q = /^(\*|\+|\?|\{(\d+)(,\d*)?\})\??/.exec(p.slice(i))
    if (q) {
      const min = q[1] === '*' || q[1] === '?' ? 0 : q[1] === '+' ? 1 : Number(q[2])
      flush(min)
      i += q[0].length
      continue
    }
    flush(1)
    if (ch === '\\') {
      const next = p[i + 1] ?? ''
      atom = next === 'd' ? '0' : next === 'w' ? 'a' : next === 's' ? ' ' : /[A-Za-z]/.test(next) ? '' : next
      if (/[DWSbB]/.test(next)) return undefined
      i += 2
    } else if (ch === '[') {
      const end = p.indexOf(']', i + 2)
      if (end < 0 || p[i + 1] === '^') return undefined
      const body = p.slice(i + 1, end)
      atom = body.startsWith('\\d') ? '0' : (body[0] as string)
      i = end + 1
    } else if (ch === '(') {
      let depth = 0
      let j = i
      for (; j < p.length; j++) {
        if (p[j] === '\\') j++
        else if (p[j] === '(') depth++
        else if (p[j] === ')' && --depth === 0) break
      }
      const inner = sample(p.slice(i + 1, j).replace(/^\?:/, ''))
      if (inner === undefined) return undefined
      atom = inner
      i = j + 1
    } else {
      atom = ch === '.' ? 'a' : ch
      i++
    }
  }
  flush(1)
  return out
}

// The lines of an uploaded CSV file as records, so a batch can step through them. RFC 4180:
// quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF ends a line.
import { NodeError, type JsonValue } from '@carepath/dsl'

type Row = { [column: string]: JsonValue }

/** Split CSV text into lines of fields; a quote that never closes is refused with its line number. */
function splitLines(text: string): string[][] {
  const lines: string[][] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let quoteOpenedAt = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else {
        if (char === '\n') line++
        field += char
      }
    } else if (char === '"' && field === '') {
      quoted = true
      quoteOpenedAt = line
    } else if (char === ',') {
      fields.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      lines.push(fields)
      fields = []
      field = ''
      line++
    } else field += char
  }
  if (quoted) throw new NodeError(`The CSV file has a quote opened on line ${quoteOpenedAt} that never closes.`)
  if (field !== '' || fields.length > 0) {
    fields.push(field)
    lines.push(fields)
  }
  return lines.filter((fields) => fields.some((value) => value.trim() !== ''))
}

/**
 * The data lines of a CSV file as records keyed by the header line's column names, each with
 * `line`, its line number in the file counted from 1 (the header is line 1), so a person can find it.
 */
export function csvRows(text: string): Row[] {
  const [header, ...lines] = splitLines(text)
  if (!header) return []
  const columns = header.map((name) => name.trim())
  const blank = columns.findIndex((name) => name === '')
  if (blank !== -1) throw new NodeError(`Column ${blank + 1} of the CSV file's first line has no name.`)
  const twice = columns.find((name, index) => columns.indexOf(name) !== index)
  if (twice !== undefined) throw new NodeError(`The CSV file names the column "${twice}" twice.`)
  return lines.map((fields, index) => {
    if (fields.length !== columns.length) {
      throw new NodeError(
        `Line ${index + 2} of the CSV file has ${fields.length} fields; the first line names ${columns.length}.`,
      )
    }
    const row: Row = { line: index + 2 }
    columns.forEach((name, column) => {
      row[name] = fields[column] ?? ''
    })
    return row
  })
}

// Which files can be attached, told by their content and not by what the client claims: a name's
// extension picks the expected type, and the first bytes must agree (a renamed program is refused).
// Text types (CSV, plain text) have no magic number: they must be UTF-8 with no control bytes.

/** The allowed types: extension → media type and how to recognise the bytes. */
const ALLOWED = {
  pdf: {
    mediaType: 'application/pdf',
    label: 'a PDF',
    looksRight: (b: Uint8Array) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  },
  png: {
    mediaType: 'image/png',
    label: 'a PNG image',
    looksRight: (b: Uint8Array) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  jpg: {
    mediaType: 'image/jpeg',
    label: 'a JPEG image',
    looksRight: (b: Uint8Array) => startsWith(b, [0xff, 0xd8, 0xff]),
  },
  jpeg: {
    mediaType: 'image/jpeg',
    label: 'a JPEG image',
    looksRight: (b: Uint8Array) => startsWith(b, [0xff, 0xd8, 0xff]),
  },
  // Office files are zip archives; the part names in them (stored uncompressed) say which kind.
  xlsx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'an Excel workbook',
    looksRight: (b: Uint8Array) => isZip(b) && contains(b, 'xl/'),
  },
  docx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'a Word document',
    looksRight: (b: Uint8Array) => isZip(b) && contains(b, 'word/'),
  },
  csv: { mediaType: 'text/csv', label: 'a CSV file', looksRight: (b: Uint8Array) => isPlainText(b) },
  txt: { mediaType: 'text/plain', label: 'a text file', looksRight: (b: Uint8Array) => isPlainText(b) },
} as const

type Extension = keyof typeof ALLOWED
const isExtension = (value: string): value is Extension => Object.hasOwn(ALLOWED, value)

/** The allowed extensions, as a person reads them. */
export const ALLOWED_DESCRIPTION = 'PDF, PNG, JPEG, CSV, Excel (.xlsx), Word (.docx) or plain text (.txt)'

/** The `accept` attribute of a file input for the allowed types. */
export const ACCEPT = Object.keys(ALLOWED)
  .map((ext) => `.${ext}`)
  .join(',')

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte)
}

function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])
}

function contains(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text, 0, 'latin1')
}

function isPlainText(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    // Tab, line feed, form feed and carriage return are text; other control bytes are not.
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) return false
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

/** What was decided about a file: its media type, or why it is refused (a plain sentence). */
export type Detected = { ok: true; mediaType: string } | { ok: false; message: string }

/** Tell a file's type from its name's extension and check its bytes agree. */
export function detectType(name: string, bytes: Uint8Array): Detected {
  const dot = name.lastIndexOf('.')
  const extension = dot < 0 ? '' : name.slice(dot + 1).toLowerCase()
  if (!isExtension(extension))
    return { ok: false, message: `“${name}” cannot be attached: only ${ALLOWED_DESCRIPTION} files can.` }
  const type = ALLOWED[extension]
  if (!type.looksRight(bytes))
    return { ok: false, message: `“${name}” is not ${type.label}: its content does not match its name.` }
  return { ok: true, mediaType: type.mediaType }
}

/** A file name fit to store and show: no folders, no control characters, at most 120 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? ''
  // Control characters (and the bidi overrides that disguise an extension) are dropped.
  const clean = base.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim()
  if (clean.length <= 120) return clean
  const dot = clean.lastIndexOf('.')
  const ext = dot > 0 && clean.length - dot <= 6 ? clean.slice(dot) : ''
  return clean.slice(0, 120 - ext.length) + ext
}

// The installation's evidence settings (stored in the settings table under `evidence`).
import { z } from 'zod'

export const MEBIBYTE = 1024 * 1024

export const evidenceSettingsSchema = z
  .object({
    /** The largest file that can be attached, in bytes: 1 KB to 50 MB, 10 MB unless an admin says otherwise. */
    maxBytes: z
      .number({ error: 'maxBytes must be a number of bytes' })
      .int('maxBytes must be a whole number of bytes')
      .min(1024, 'maxBytes must be at least 1 KB (1024)')
      .max(50 * MEBIBYTE, 'maxBytes may be at most 50 MB')
      .default(10 * MEBIBYTE),
  })
  .strict()
export type EvidenceSettings = z.infer<typeof evidenceSettingsSchema>

/** A size as a person reads it: 512 bytes, 40 KB, 12.5 MB. */
export function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < MEBIBYTE) return `${Math.round(bytes / 1024)} KB`
  return `${Math.round((bytes / MEBIBYTE) * 10) / 10} MB`
}

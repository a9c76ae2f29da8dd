// The third-party HL7 v2 samples kept beside the hl7.parse node (provenance in THIRD_PARTY.md
// there), read by the runtime's MLLP, HTTP and intake tests from this one place. Test-only.
import { readdirSync, readFileSync } from 'node:fs'

const fixtures = new URL('../../../../../packages/nodes/src/hl7-parse/fixtures/', import.meta.url)

/** One sample's text as stored (line ends as in the file). */
export function hl7Sample(name: string): string {
  return readFileSync(new URL(name, fixtures), 'utf8')
}

/** Every *.hl7 sample, in the order the folder lists them. */
export function hl7Samples(): { file: string; text: string }[] {
  return readdirSync(fixtures)
    .filter((file) => file.endsWith('.hl7'))
    .map((file) => ({ file, text: hl7Sample(file) }))
}

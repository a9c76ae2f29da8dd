// The commonest FHIRPath an assign node holds is a plain member path into the facts
// (`message.summary.patient.mrn`). Medplum evaluates it through typed values and its schema
// lookups, about 10 µs a path: six of them were 6% of an HL7 message's CPU. A plain path over
// plain objects is walked here instead, with Medplum's results (plain-member-path.test.ts checks
// them against Medplum on generated facts). Whatever Medplum would treat by type (a FHIR resource,
// Quantity, Coding or CodeableConcept, a missing member it would look for as a choice type, the
// members every element has) is left to Medplum: `walkPlainPath` answers undefined.
import {
  DotAtom,
  SymbolAtom,
  isCodeableConcept,
  isCoding,
  isQuantity,
  type Atom,
  type FhirPathAtom,
} from '@medplum/core'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Members the schema of an element of any type defines (FHIR's Element and BackboneElement). */
const ELEMENT_MEMBERS = new Set(['id', 'extension', 'modifierExtension'])

const pathOfAtom = new WeakMap<FhirPathAtom, readonly string[] | null>()

/** The member names of `atom` when it is a plain member path, else undefined (read once per atom). */
export function plainMemberPath(atom: FhirPathAtom): readonly string[] | undefined {
  let path = pathOfAtom.get(atom)
  if (path === undefined) {
    path = membersOf(atom.child) ?? null
    pathOfAtom.set(atom, path)
  }
  return path ?? undefined
}

function membersOf(atom: Atom): string[] | undefined {
  if (atom instanceof SymbolAtom) {
    const plain = IDENTIFIER.test(atom.name) && !ELEMENT_MEMBERS.has(atom.name) && !(atom.name in Object.prototype)
    return plain ? [atom.name] : undefined
  }
  if (atom instanceof DotAtom) {
    const left = membersOf(atom.left)
    const right = membersOf(atom.right)
    return left && right?.length === 1 ? [...left, ...right] : undefined
  }
  return undefined
}

/** Whether Medplum types `value` as a plain element (no schema of its own to look members up in). */
function isPlainElement(value: object): boolean {
  return (
    !Array.isArray(value) &&
    !('resourceType' in value) &&
    !isQuantity(value) &&
    !isCodeableConcept(value) &&
    !isCoding(value)
  )
}

/**
 * The values `path` reaches from `root`, as Medplum's evaluation gives them: arrays flattened one
 * level, null and values below a non-object dropped; or undefined when Medplum must decide.
 */
export function walkPlainPath(root: object, path: readonly string[]): unknown[] | undefined {
  let current: unknown[] = [root]
  for (const name of path) {
    const next: unknown[] = []
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue
      if (!isPlainElement(value) || !(name in value)) return undefined
      const member = (value as Record<string, unknown>)[name]
      if (Array.isArray(member)) {
        for (const item of member) {
          if (Array.isArray(item)) return undefined
          if (item !== null && item !== undefined) next.push(item)
        }
      } else if (member !== null && member !== undefined) next.push(member)
    }
    current = next
  }
  return current
}

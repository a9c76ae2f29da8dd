// Applying a FHIRPath Patch to a resource, here, because the FHIR server the tests run
// (@medplum/fhir-router 4.5.2) accepts JSON Patch only: a Parameters body is refused with
// "Patch body must be an array" (Medplum added FHIRPath Patch in a later major). So the adapter
// reads the resource, applies the operations with @medplum/core's FHIRPath evaluation, and
// writes the result with an update guarded by If-Match on the version it read: the server sees
// an ordinary versioned update, and a change made in between is a 412 like any other conflict.
import {
  DotAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  IndexerAtom,
  LiteralAtom,
  parseFhirPath,
  SymbolAtom,
  toTypedValue,
  tryGetDataType,
  type Atom,
} from '@medplum/core'
import type { FhirPathOperation } from '@carepath/nodes'
import type { JsonValue } from '@carepath/dsl'
import { ensureFhirDefinitions } from './fhir-validate.ts'

type Json = { [key: string]: unknown }
/** Where an element sits: its parent object, the property, and its position when in a list. */
interface Location {
  parent: Json
  name: string
  index?: number
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value)

class PatchProblem extends Error {}

function evaluate(expression: string, resource: Json) {
  try {
    return evalFhirPathTyped(expression, [toTypedValue(resource)])
  } catch {
    throw new PatchProblem(`the path ${expression} is not valid FHIRPath`)
  }
}

/** Locations of every value of `parent[name]`, in order. */
function locationsIn(parent: Json, name: string): Location[] {
  const value = parent[name]
  if (value === undefined) return []
  return Array.isArray(value) ? value.map((_, index) => ({ parent, name, index })) : [{ parent, name }]
}

/** Every location in `root` holding `target` (found by identity: objects only). */
function locateObject(root: unknown, target: object, out: Location[] = []): Location[] {
  if (!isObject(root)) {
    if (Array.isArray(root)) for (const item of root) locateObject(item, target, out)
    return out
  }
  for (const [name, value] of Object.entries(root)) {
    if (Array.isArray(value))
      value.forEach((item, index) => (item === target ? out.push({ parent: root, name, index }) : undefined))
    else if (value === target) out.push({ parent: root, name })
    locateObject(value, target, out)
  }
  return out
}

/** The source text of an atom Medplum parsed (its own toString gives FHIRPath back). */
const text = (atom: Atom) => atom.toString()

/**
 * The locations a path selects. `X.name` and `X.name[n]` are resolved through their parent, so
 * primitive elements (a comment, a date) can be found; any other path must select objects,
 * found by identity in the resource.
 */
function locate(expression: string, resource: Json): Location[] {
  let atom: Atom
  try {
    atom = parseFhirPath(expression)
  } catch {
    throw new PatchProblem(`the path ${expression} is not valid FHIRPath`)
  }
  const body = atom instanceof FhirPathAtom ? atom.child : atom
  if (body instanceof DotAtom && body.right instanceof SymbolAtom) {
    const name = body.right.name
    return evaluate(text(body.left), resource).flatMap((parent) =>
      isObject(parent.value) ? locationsIn(parent.value, name) : [],
    )
  }
  if (
    body instanceof IndexerAtom &&
    body.left instanceof DotAtom &&
    body.left.right instanceof SymbolAtom &&
    body.expr instanceof LiteralAtom
  ) {
    const name = body.left.right.name
    const all = evaluate(text(body.left.left), resource).flatMap((p) =>
      isObject(p.value) ? locationsIn(p.value, name) : [],
    )
    const position = Number(body.expr.value.value)
    return all[position] ? [all[position]] : []
  }
  return evaluate(expression, resource).flatMap((found) => {
    if (!isObject(found.value)) throw new PatchProblem(`the path ${expression} must end in an element name`)
    return locateObject(resource, found.value)
  })
}

function valueAt(location: Location): unknown {
  const value = location.parent[location.name]
  return location.index === undefined ? value : Array.isArray(value) ? value[location.index] : undefined
}

function remove(location: Location) {
  const value = location.parent[location.name]
  if (location.index !== undefined && Array.isArray(value)) {
    value.splice(location.index, 1)
    if (value.length === 0) delete location.parent[location.name]
  } else delete location.parent[location.name]
}

/** The one list a path selects (insert, move): all its locations in one parent's property. */
function listAt(expression: string, resource: Json): unknown[] {
  const locations = locate(expression, resource)
  const first = locations[0]
  const list = first ? first.parent[first.name] : undefined
  if (!first || !Array.isArray(list) || locations.some((l) => l.parent !== first.parent || l.name !== first.name))
    throw new PatchProblem(`the path ${expression} does not select one list`)
  return list
}

/** Whether `name` of a `type` element repeats (so `add` appends to a list); false when unknown. */
function repeats(type: string, name: string): boolean {
  const max = tryGetDataType(type)?.elements[name]?.max
  return max !== undefined && max !== 1
}

function apply(resource: Json, operation: FhirPathOperation) {
  switch (operation.type) {
    case 'add': {
      const targets = evaluate(operation.path, resource)
      const target = targets[0]
      if (targets.length !== 1 || !target || !isObject(target.value))
        throw new PatchProblem(`the path ${operation.path} must select exactly one element to add to`)
      const existing = target.value[operation.name]
      if (Array.isArray(existing)) existing.push(operation.value)
      else if (existing !== undefined) throw new PatchProblem(`${operation.path}.${operation.name} already has a value`)
      else target.value[operation.name] = repeats(target.type, operation.name) ? [operation.value] : operation.value
      return
    }
    case 'insert': {
      const list = listAt(operation.path, resource)
      if (operation.index > list.length)
        throw new PatchProblem(`position ${operation.index} is past the end of ${operation.path}`)
      list.splice(operation.index, 0, operation.value)
      return
    }
    case 'delete': {
      const locations = locate(operation.path, resource)
      if (locations.length > 1) throw new PatchProblem(`the path ${operation.path} selects more than one element`)
      if (locations[0]) remove(locations[0])
      return
    }
    case 'replace': {
      const locations = locate(operation.path, resource)
      const location = locations[0]
      if (locations.length !== 1 || !location || valueAt(location) === undefined)
        throw new PatchProblem(`the path ${operation.path} must select exactly one element to replace`)
      const list = location.parent[location.name]
      if (location.index !== undefined && Array.isArray(list)) list[location.index] = operation.value
      else location.parent[location.name] = operation.value
      return
    }
    case 'move': {
      const list = listAt(operation.path, resource)
      if (operation.source >= list.length || operation.destination >= list.length)
        throw new PatchProblem(`a position is past the end of ${operation.path}`)
      const [moved] = list.splice(operation.source, 1)
      list.splice(operation.destination, 0, moved)
      return
    }
  }
}

/**
 * `resource` with `operations` applied in order, all or nothing (the input is not changed), or
 * a plain sentence saying which operation could not be applied (paths only, never values).
 */
export function applyFhirPathPatch(
  resource: { [key: string]: JsonValue },
  operations: readonly FhirPathOperation[],
): { resource: { [key: string]: JsonValue } } | { problem: string } {
  ensureFhirDefinitions()
  const copy: { [key: string]: JsonValue } = structuredClone(resource)
  for (const [index, operation] of operations.entries()) {
    try {
      apply(copy, structuredClone(operation))
    } catch (error) {
      if (!(error instanceof PatchProblem)) throw error
      return { problem: `Patch operation ${index + 1} (${operation.type}) cannot be applied: ${error.message}.` }
    }
  }
  return { resource: copy }
}

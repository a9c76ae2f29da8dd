// FHIRPath for the assign node, made deterministic. @medplum/core evaluates FHIRPath but its
// now(), today() and timeOfDay() read the wall clock; we parse the expression once, replace
// those calls with variables bound to the run's injected clock, and evaluate the rewritten
// tree. Medplum does not implement date arithmetic (`today() - 18 years` silently yields text
// or NaN), so expressions that add or subtract a time quantity are refused up front.
import {
  ArithemticOperatorAtom,
  DotAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  FunctionAtom,
  IndexerAtom,
  InfixOperatorAtom,
  LiteralAtom,
  parseFhirPath,
  PrefixOperatorAtom,
  SymbolAtom,
  toTypedValue,
  type Atom,
  type TypedValue,
} from '@medplum/core'
import type { JsonValue } from '@carepath/dsl'
import { plainMemberPath, walkPlainPath } from './plain-member-path.ts'

/** FHIRPath clock functions and the variables that stand in for them (bound to ctx.now()). */
const CLOCK_VARIABLES: Record<string, string> = { now: '%now', today: '%today', timeOfDay: '%timeOfDay' }

const TIME_UNITS = /^\{?(years?|months?|weeks?|days?|hours?|minutes?|seconds?|milliseconds?|a|mo|wk|d|h|min|s|ms)\}?$/

const knownFunctions = new Map<string, boolean>()

/** Whether Medplum implements a FHIRPath function (probed once per name, on empty input). */
function isKnownFunction(name: string): boolean {
  if (name in CLOCK_VARIABLES) return true
  let known = knownFunctions.get(name)
  if (known === undefined) {
    try {
      new FunctionAtom(name, []).eval({ variables: {} }, [])
      known = true
    } catch (error) {
      known = !(error instanceof Error && error.message.startsWith('Unrecognized function'))
    }
    knownFunctions.set(name, known)
  }
  return known
}

/**
 * The atoms directly below an atom: the expression's root, prefix and infix operands, indexer
 * and function arguments (the only Medplum atoms that hold other atoms).
 */
function childrenOf(atom: Atom): Atom[] {
  if (atom instanceof FhirPathAtom || atom instanceof PrefixOperatorAtom) return [atom.child]
  if (atom instanceof InfixOperatorAtom) return [atom.left, atom.right]
  if (atom instanceof IndexerAtom) return [atom.left, atom.expr]
  if (atom instanceof FunctionAtom) return atom.args
  return []
}

/** An atom with its operand fields writable (Medplum declares them readonly). */
type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** A clock call (`now()`, `today()`, `timeOfDay()`) becomes the variable bound to the run's clock. */
function unclocked(candidate: Atom): Atom {
  const variable = candidate instanceof FunctionAtom && candidate.args.length === 0 && CLOCK_VARIABLES[candidate.name]
  return variable ? new SymbolAtom(variable) : candidate
}

/** Replace clock calls below `atom` with variable symbols, in place (the tree is ours, freshly parsed). */
function bindClock(atom: Atom): void {
  if (atom instanceof FhirPathAtom || atom instanceof PrefixOperatorAtom) {
    ;(atom as Writable<typeof atom>).child = unclocked(atom.child)
  } else if (atom instanceof InfixOperatorAtom) {
    const operands = atom as Writable<InfixOperatorAtom>
    operands.left = unclocked(atom.left)
    operands.right = unclocked(atom.right)
  } else if (atom instanceof IndexerAtom) {
    const operands = atom as Writable<IndexerAtom>
    operands.left = unclocked(atom.left)
    operands.expr = unclocked(atom.expr)
  } else if (atom instanceof FunctionAtom) {
    ;(atom as Writable<FunctionAtom>).args = atom.args.map(unclocked)
  }
  for (const child of childrenOf(atom)) bindClock(child)
}

/** The first thing wrong with a parsed expression that we can see without evaluating it. */
function staticProblem(atom: Atom): string | undefined {
  if (atom instanceof FunctionAtom && !isKnownFunction(atom.name)) return `FHIRPath has no function ${atom.name}().`
  if (atom instanceof ArithemticOperatorAtom && (atom.operator === '+' || atom.operator === '-')) {
    for (const side of [atom.left, atom.right]) {
      if (
        side instanceof LiteralAtom &&
        side.value.type === 'Quantity' &&
        TIME_UNITS.test(String((side.value.value as { unit?: unknown }).unit))
      ) {
        return 'Date arithmetic (adding or subtracting days, months, years ...) is not supported here; compare dates in a decision instead.'
      }
    }
  }
  for (const child of childrenOf(atom)) {
    const problem = staticProblem(child)
    if (problem) return problem
  }
  return undefined
}

/** A parsed, clock-bound expression, or the plain sentence saying why it cannot be used. */
export function compileFhirPath(expression: string): { atom: FhirPathAtom } | { problem: string } {
  let atom: FhirPathAtom
  try {
    atom = parseFhirPath(expression)
  } catch (error) {
    return {
      problem: `The FHIRPath expression does not parse: ${error instanceof Error ? error.message : 'syntax error'}`,
    }
  }
  const problem = staticProblem(atom)
  if (problem) return { problem }
  bindClock(atom)
  return { atom }
}

/**
 * The root fact names an expression reads (`patient` in `patient.name.first().given`).
 * Only roots: below them the facts may be FHIR resources the facts schema leaves open.
 * Arguments of functions called on a collection (`where(use = 'official')`) are relative, not roots.
 */
export function fhirPathRoots(atom: FhirPathAtom): string[] {
  const roots = new Set<string>()
  const visit = (node: Atom): void => {
    if (node instanceof SymbolAtom) {
      if (/^[A-Za-z_]/.test(node.name)) roots.add(node.name)
    } else if (node instanceof DotAtom) {
      visit(node.left)
    } else if (node instanceof IndexerAtom) {
      visit(node.left)
    } else {
      childrenOf(node).forEach(visit)
    }
  }
  visit(atom.child)
  return [...roots]
}

/** Evaluate against the facts, with now()/today()/timeOfDay() taken from the injected clock (UTC). */
export function evaluateFhirPath(
  atom: FhirPathAtom,
  facts: Readonly<Record<string, JsonValue>>,
  now: string,
): unknown[] {
  const path = plainMemberPath(atom)
  const plain = path && walkPlainPath(facts, path)
  if (plain) return plain
  const variables: Record<string, TypedValue> = {
    '%now': { type: 'dateTime', value: now },
    '%today': { type: 'date', value: now.slice(0, 10) },
    '%timeOfDay': { type: 'time', value: now.slice(11, 19) },
  }
  return evalFhirPathTyped(atom, [toTypedValue(facts)], variables).map((typed) => typed.value)
}

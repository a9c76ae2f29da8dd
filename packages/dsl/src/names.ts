import { z } from 'zod'

// The syntax of the names flows are written with, defined once. The document schema, the
// node-type check, node configs, the rules' condition paths, message templates and the runtime's
// routers all build on these, so a name valid in one place is valid in every other.

/** One fact name (a segment of a fact path), unanchored: letters, digits and `_`, not led by a digit. */
export const FACT_NAME_SYNTAX = '[A-Za-z_][A-Za-z0-9_]*'
/** A dotted fact path such as `patient.birthDate`, unanchored (for patterns that embed one, like `{{path}}`). */
export const FACT_PATH_SYNTAX = `${FACT_NAME_SYNTAX}(\\.${FACT_NAME_SYNTAX})*`
/** Exactly one fact name, like `birthDate`. */
export const FACT_NAME_PATTERN = new RegExp(`^${FACT_NAME_SYNTAX}$`)
/** Exactly one dotted fact path, like `patient.birthDate`. */
export const FACT_PATH_PATTERN = new RegExp(`^${FACT_PATH_SYNTAX}$`)

/** A dotted fact path, as node configs write it (letters, digits and `_` per segment). */
export const factPathSchema = z.string().regex(FACT_PATH_PATTERN, 'a fact path is dotted names, like patient.birthDate')

/**
 * A segment of a path a rule condition reads. Wider than a fact name: conditions also reach
 * members spelled with `-` and index arrays (`$.results.0.value`); the first segment of the
 * condition's `fact` is never an index (`CONDITION_FACT_ROOT_PATTERN`).
 */
export const CONDITION_SEGMENT_PATTERN = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\d+)$/
/** The first segment of a rule condition's `fact`: a name that may hold `-`, never an index. */
export const CONDITION_FACT_ROOT_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** A kebab-case name, unanchored: flow ids, role names and outcome codes. */
export const KEBAB_CASE_SYNTAX = '[a-z][a-z0-9-]*'
/** Exactly one kebab-case name, like `eligibility-verification` or `front-desk`. */
export const KEBAB_CASE_PATTERN = new RegExp(`^${KEBAB_CASE_SYNTAX}$`)

/** A flow id: kebab-case, like `eligibility-verification`. */
export const flowIdSchema = z
  .string()
  .regex(KEBAB_CASE_PATTERN, 'a flow id is kebab-case, like eligibility-verification')

/** A node type id: lower-case words joined by dots (`end`, `decision.rules`, `fhir.read`). */
export const NODE_TYPE_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9-]*)*$/

/** A node id: starts with a letter, then letters, digits, - or _ (safe in dotted paths and edge ids). */
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/

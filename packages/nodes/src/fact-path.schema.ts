// Small zod pieces every built-in node type's config uses, so fact paths, roles and JSON
// literals are spelled and validated the same way everywhere (and the designer's inspector
// shows the same hint text for them).
import { z } from 'zod'
import { factPathSchema, jsonValueSchema, KEBAB_CASE_PATTERN } from '@carepath/dsl'

/** The name of a flow role (a work queue), e.g. `front-desk`; validation checks the flow defines it. */
export const roleNameSchema = z.string().regex(KEBAB_CASE_PATTERN, 'a role is kebab-case, like front-desk')

/** A name that can be an output port: answer options and outcomes become ports. */
export const portNameSchema = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_-]*$/, 'starts with a lower-case letter and holds letters, digits, - or _')

/**
 * A dotted fact path such as `patient.birthDate`, and any JSON value (a literal written into the
 * facts): the DSL's own schemas, re-exported for the node configs.
 */
export { factPathSchema, jsonValueSchema }

import type { NewUser } from '../api/carepath-api.ts'

// The runtime's USER_ROLES, listed again because the designer takes only types from the runtime
// (its schema module would bring the database code into the bundle); the check below fails to
// compile when a role is added there and not here.
/** The product roles an admin gives a person, in the order the forms offer them. */
export const PRODUCT_ROLES = [
  'analyst',
  'developer',
  'reviewer',
  'agent',
  'auditor',
  'admin',
  'operator',
  'compliance',
] as const satisfies readonly NewUser['role'][]

type Unlisted = Exclude<NewUser['role'], (typeof PRODUCT_ROLES)[number]>
/** True only when every product role is listed. */
export const EVERY_ROLE_LISTED: [Unlisted] extends [never] ? true : never = true

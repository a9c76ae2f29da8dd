import type { NewUser } from '../api/carepath-api.ts'

/** The product roles an admin gives a person, in the order the forms offer them. */
export const PRODUCT_ROLES: readonly NewUser['role'][] = [
  'analyst',
  'developer',
  'reviewer',
  'agent',
  'auditor',
  'admin',
  'compliance',
]

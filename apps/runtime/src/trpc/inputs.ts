// Input pieces several edges (routers, the CLI) validate alike, built on the DSL's name syntax.
import { z } from 'zod'
import { flowIdSchema, KEBAB_CASE_SYNTAX } from '@carepath/dsl'

/** A flow id as procedures take it: the DSL's kebab-case flow id, at most 100 characters. */
export const flowIdInput = flowIdSchema.max(100)

/** What a username may hold, as a sentence for the person who typed one. */
export const USERNAME_RULE = 'a username is 2–50 lower-case letters, digits, . _ or -'
/** A username: 2–50 lower-case letters, digits, `.`, `_` or `-`, starting with a letter. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{1,49}$/
/** A username as procedures take it. */
export const usernameInput = z.string().regex(USERNAME_PATTERN, USERNAME_RULE)

/** A flow role a user works (kebab-case, as flows name their roles), or `*` for all of them. */
export const flowRoleInput = z
  .string()
  .regex(new RegExp(`^(\\*|${KEBAB_CASE_SYNTAX})$`), 'a flow role is kebab-case, or * for all')

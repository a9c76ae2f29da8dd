// Input pieces several routers validate alike, built on the DSL's name syntax.
import { flowIdSchema } from '@carepath/dsl'

/** A flow id as procedures take it: the DSL's kebab-case flow id, at most 100 characters. */
export const flowIdInput = flowIdSchema.max(100)

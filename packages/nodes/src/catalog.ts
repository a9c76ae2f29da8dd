import type { AnyNodeType } from '@carepath/dsl'

/** The built-in node types, one line each (a test checks every folder is listed). */
export const builtinNodeTypes: readonly AnyNodeType[] = []

import type { AnyNodeType } from '@carepath/dsl'
import { triggerApi } from './trigger-api/trigger-api.node.ts'

/** The built-in node types, one line each (a test checks every folder is listed). */
export const builtinNodeTypes: readonly AnyNodeType[] = [
  triggerApi,
]

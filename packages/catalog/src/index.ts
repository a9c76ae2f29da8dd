// The node types this installation knows: the built-in catalog plus any extension packages.
// The runtime, the designer and the CLI all build their registry from this one list, so adding
// a node type is one line here (see examples/custom-node).
import { createNodeRegistry, type AnyNodeType } from '@carepath/dsl'
import { builtinNodeTypes } from '@carepath/nodes'
import { npiLookup } from '@carepath/example-npi-lookup'

/** Every installed node type. */
export const installedNodeTypes: readonly AnyNodeType[] = [
  ...builtinNodeTypes,
  // Extension packages register here, one line each.
  npiLookup, // examples/custom-node: the extension walkthrough
]

/** The registry every app uses: built once, at module scope. */
export const registry = createNodeRegistry(installedNodeTypes)

/**
 * @carepath/dsl: the versioned flow DSL. Zod schemas of the document and facts, PHI classes,
 * the node-type contract and registry, validation, migrations, canonical JSON and the content
 * hash, the graph compiler, the structural diff, the JSON Schema and the PHI redaction gate.
 * Pure TypeScript with no node:* imports, so the designer runs the same code in the browser.
 * Every export below carries its own JSDoc.
 */
export * from './json.ts'
export * from './names.ts'
export * from './phi.ts'
export * from './facts-schema.ts'
export * from './calendar.schema.ts'
export * from './flow.schema.ts'
export * from './problems.ts'
export * from './explanation.ts'
export * from './task-request.schema.ts'
export * from './node-type.ts'
export * from './registry.ts'
export * from './plugin.ts'
export * from './zod-problems.ts'
export * from './migrate.ts'
export * from './validate.ts'
export * from './flow-checker.ts'
export * from './validate-connectors.ts'
export type { ResolvedNode } from './validate-node.ts'
export * from './canonical-json.ts'
export * from './adopt.ts'
export * from './maybe-promise.ts'
export * from './content-hash.ts'
export * from './graph.ts'
export * from './diff.ts'
export * from './plain-words.ts'
export * from './queue-steps.ts'
export * from './json-schema.ts'
export * from './redact.ts'
export * from './phi-map/index.ts'
export * from './document-hash.ts'
export * from './footprint.ts'
/** The PHI classes declared under a fact path of a facts schema (the footprint reads them). */
export { phiClassesUnder } from './footprint-touches.ts'

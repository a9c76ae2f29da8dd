export * from './catalog.ts'
export * from './fact-path.schema.ts'
export * from './trigger-api/trigger-api.node.ts'
// Test utility: a fake ExecuteContext for unit tests of built-in and custom node types.
export * from './testing/fake-context.ts'

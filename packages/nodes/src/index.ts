export * from './catalog.ts'
export * from './fact-path.schema.ts'
export * from './iso-duration.ts'
export * from './trigger-api/trigger-api.node.ts'
export * from './wait/wait.node.ts'
export * from './end/end.node.ts'
// Test utility: a fake ExecuteContext for unit tests of built-in and custom node types.
export * from './testing/fake-context.ts'

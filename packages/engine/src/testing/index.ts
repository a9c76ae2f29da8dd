// Test support shared with the layers above (the runtime's tests and tests/integration), exported
// as @carepath/engine/testing so each generic test node type is defined once. Not public API.
export { testStart, testWait, testEnd, testAsk, defineTestAsk } from './test-nodes.ts'
export { migrationTestFlows } from './test-flows.ts'

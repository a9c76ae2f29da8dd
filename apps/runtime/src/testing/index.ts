// Test support for the runtime's own tests and tests/integration/runtime-*.test.ts (not part of
// the public API; exported as @carepath/runtime/testing so cross-package tests need no deep paths).
export { testRegistry, intakeFlow, intakeSuite, waitFlow } from './test-registry.ts'
export { createTestRuntime, publishFlow, TEST_PASSWORD, type TestRuntime, type Caller } from './test-runtime.ts'

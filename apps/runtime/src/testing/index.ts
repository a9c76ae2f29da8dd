// Test support for the runtime's own tests and tests/integration/runtime-*.test.ts (not part of
// the public API; exported as @carepath/runtime/testing so cross-package tests need no deep paths).
export { testRegistry, intakeFlow, intakeSuite, waitFlow } from './test-registry.ts'
export { webhookFlow } from './webhook-flow.ts'
export {
  createTestRuntime,
  publishFlow,
  passwordOnly,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
  type Caller,
} from './test-runtime.ts'
export { waitUntil, TEST_WAIT_MS, TEST_CONNECTOR_TIMEOUT_MS } from './wait-until.ts'
export { findTestPostgres } from './test-postgres.ts'
// Loopback peers and the inbound/outbound pieces tests/integration/integrations-*.test.ts drive directly.
export { startFhirTestServer, type FhirTestServer } from '../integrations/testing/fhir-test-server.ts'
export { startPayerStub, type PayerStub } from '../integrations/testing/payer-stub.ts'
export { loadSyntheaPatient, SYNTHEA_PATIENT_MRN } from '../integrations/testing/synthea-patient.ts'
export {
  createConnectorAdapters,
  createInboundHttpHandler,
  sendMllp,
  signWebhook,
  MllpFramer,
  mllpFrame,
} from '../integrations/index.ts'
// hl7.send's destinations, for tests that configure the runtime's outbound queue directly.
export { hl7OutSettingsSchema } from '@carepath/nodes'
export { hl7Sample, hl7Samples } from '../integrations/testing/hl7-samples.ts'
export { runCarepathCli, type CliResult } from './carepath-cli.ts'

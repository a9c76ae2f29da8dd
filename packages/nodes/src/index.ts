export * from './catalog.ts'
export * from './fact-path.schema.ts'
export * from './iso-duration.ts'
export * from './business-time.ts'
export { dueSchema, type Due } from './human-step.schema.ts'
// Connectors the built-in types call, with their settings schemas (adapters are the host's)
export * from './connector-settings.schema.ts'
export * from './fhir-read/fhir-settings.schema.ts'
export * from './payer-eligibility/payer-settings.schema.ts'
export * from './http-request/http-settings.schema.ts'
export * from './notify/notify-settings.schema.ts'
// Triggers
export * from './trigger-api/trigger-api.node.ts'
export * from './trigger-webhook/trigger-webhook.node.ts'
export * from './trigger-hl7/trigger-hl7.node.ts'
export * from './trigger-schedule/trigger-schedule.node.ts'
export { parseCron, nextCronTime, isTimeZone, type Cron } from './trigger-schedule/cron.ts'
// Decisions
export * from './decision-rules/decision-rules.node.ts'
export * from './decision-table/decision-table.node.ts'
export * from './switch/switch.node.ts'
// Data
export * from './assign/assign.node.ts'
export { compileFhirPath, evaluateFhirPath, fhirPathRoots } from './assign/fhirpath.ts'
// Human steps
export * from './task-form/task-answer.ts'
export * from './task-form/task-form.node.ts'
export * from './task-approval/task-approval.node.ts'
export * from './guide-question/guide-question.node.ts'
// Integration
export * from './fhir-read/fhir-read.node.ts'
export * from './fhir-search/fhir-search.node.ts'
export * from './fhir-create/fhir-create.node.ts'
export * from './hl7-parse/hl7-parse.node.ts'
export * from './http-request/http-request.node.ts'
export * from './payer-eligibility/payer-eligibility.node.ts'
export * from './notify/notify.node.ts'
// Flow
export * from './wait/wait.node.ts'
export * from './wait-event/wait-event.node.ts'
export * from './subflow/subflow.node.ts'
export * from './end/end.node.ts'
// Test utility: a fake ExecuteContext for unit tests of built-in and custom node types.
export * from './testing/fake-context.ts'

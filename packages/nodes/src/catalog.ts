import type { AnyNodeType } from '@carepath/dsl'
import { assign } from './assign/assign.node.ts'
import { batchEach } from './batch-each/batch-each.node.ts'
import { crmCaseUpsert } from './crm-case-upsert/crm-case-upsert.node.ts'
import { crmContactFind } from './crm-contact-find/crm-contact-find.node.ts'
import { decisionRules } from './decision-rules/decision-rules.node.ts'
import { decisionTable } from './decision-table/decision-table.node.ts'
import { end } from './end/end.node.ts'
import { fhirCreate } from './fhir-create/fhir-create.node.ts'
import { fhirPatch } from './fhir-patch/fhir-patch.node.ts'
import { fhirRead } from './fhir-read/fhir-read.node.ts'
import { fhirSearch } from './fhir-search/fhir-search.node.ts'
import { fhirTransaction } from './fhir-transaction/fhir-transaction.node.ts'
import { fhirUpdate } from './fhir-update/fhir-update.node.ts'
import { guideQuestion } from './guide-question/guide-question.node.ts'
import { hl7Parse } from './hl7-parse/hl7-parse.node.ts'
import { hl7Send } from './hl7-send/hl7-send.node.ts'
import { httpRequest } from './http-request/http-request.node.ts'
import { notify } from './notify/notify.node.ts'
import { payerEligibility } from './payer-eligibility/payer-eligibility.node.ts'
import { subflow } from './subflow/subflow.node.ts'
import { switchNode } from './switch/switch.node.ts'
import { taskApproval } from './task-approval/task-approval.node.ts'
import { taskForm } from './task-form/task-form.node.ts'
import { triggerApi } from './trigger-api/trigger-api.node.ts'
import { triggerHl7 } from './trigger-hl7/trigger-hl7.node.ts'
import { triggerSchedule } from './trigger-schedule/trigger-schedule.node.ts'
import { triggerWebhook } from './trigger-webhook/trigger-webhook.node.ts'
import { wait } from './wait/wait.node.ts'
import { waitEvent } from './wait-event/wait-event.node.ts'

/** The built-in node types, one line each (a test checks every folder is listed). */
export const builtinNodeTypes: readonly AnyNodeType[] = [
  triggerApi,
  triggerWebhook,
  triggerHl7,
  triggerSchedule,
  decisionRules,
  decisionTable,
  switchNode,
  assign,
  taskForm,
  taskApproval,
  guideQuestion,
  fhirRead,
  fhirSearch,
  fhirCreate,
  fhirUpdate,
  fhirPatch,
  fhirTransaction,
  hl7Parse,
  hl7Send,
  httpRequest,
  payerEligibility,
  crmContactFind,
  crmCaseUpsert,
  notify,
  wait,
  waitEvent,
  subflow,
  batchEach,
  end,
]

import type { AnyNodeType } from '@carepath/dsl'
import { assign } from './assign/assign.node.ts'
import { end } from './end/end.node.ts'
import { guideQuestion } from './guide-question/guide-question.node.ts'
import { subflow } from './subflow/subflow.node.ts'
import { taskApproval } from './task-approval/task-approval.node.ts'
import { taskForm } from './task-form/task-form.node.ts'
import { triggerApi } from './trigger-api/trigger-api.node.ts'
import { triggerSchedule } from './trigger-schedule/trigger-schedule.node.ts'
import { wait } from './wait/wait.node.ts'

/** The built-in node types, one line each (a test checks every folder is listed). */
export const builtinNodeTypes: readonly AnyNodeType[] = [
  triggerApi,
  triggerSchedule,
  assign,
  taskForm,
  taskApproval,
  guideQuestion,
  wait,
  subflow,
  end,
]

// Answer checking shared by the human steps (task.form, task.approval, guide.question).
// A refused answer throws AnswerError with a plain sentence and the field it concerns;
// messages quote labels from the flow, never the value a person typed (it may be PHI).
import { z } from 'zod'
import { AnswerError, FACT_NAME_PATTERN, type JsonValue, type TaskField } from '@carepath/dsl'
import { portNameSchema } from '../fact-path.schema.ts'

export const answerOptionSchema = z
  .object({
    value: portNameSchema.describe('The code stored when this answer is chosen; also the name of its port.'),
    label: z.string().min(1).describe('The text on the answer button.'),
  })
  .strict()
export type AnswerOption = z.infer<typeof answerOptionSchema>

export const taskFieldSchema = z
  .object({
    name: z
      .string()
      .regex(FACT_NAME_PATTERN, 'letters, digits and _, starting with a letter')
      .describe('Key the answer is stored under (inside the step’s `into` path).'),
    label: z.string().min(1).describe('The question or label the person sees.'),
    type: z
      .enum(['string', 'number', 'boolean', 'date', 'choice', 'file'])
      .describe(
        'What kind of answer: text, number, yes/no, date (YYYY-MM-DD), a choice from options, or a file attached as evidence.',
      ),
    required: z.boolean().default(false).describe('Whether the form can be sent without this field.'),
    options: z
      .array(
        z
          .object({
            value: z.string().min(1).describe('Stored code.'),
            label: z.string().min(1).describe('Shown text.'),
          })
          .strict(),
      )
      .optional()
      .describe('The choices, for fields of type choice.'),
  })
  .strict()
  .superRefine((field, ctx) => {
    if (field.type === 'choice' && !field.options?.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice field needs at least one option' })
    }
    if (field.type !== 'choice' && field.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only choice fields have options' })
    }
  })
export type TaskFieldConfig = z.infer<typeof taskFieldSchema>

/** Refuse repeated names (fields or options) with a zod issue at the repeat. */
export function uniqueBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  ctx: z.RefinementCtx,
  path: string,
  what: string,
): void {
  const seen = new Set<string>()
  items.forEach((item, index) => {
    const name = key(item)
    if (seen.has(name))
      ctx.addIssue({ code: 'custom', path: [path, index], message: `${what} "${name}" appears twice` })
    seen.add(name)
  })
}

/** The TaskField list a task request carries. */
export function toTaskFields(fields: readonly TaskFieldConfig[]): TaskField[] {
  return fields.map(({ name, label, type, required, options }) => ({ name, label, type, required, options }))
}

/** The answer as an object of named values; anything else is refused. */
export function answerObject(answer: JsonValue): Record<string, JsonValue> {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    throw new AnswerError('The answer must be a set of named fields.')
  }
  return answer
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/**
 * A file field's answer: the attachment's id and sha256, so the run's facts name exactly the
 * bytes that were attached (the runtime checks the attachment belongs to the task).
 */
export function isFileReference(value: JsonValue): value is { attachment: string; sha256: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const keys = Object.keys(value).sort()
  const { attachment, sha256 } = value
  return (
    keys.length === 2 &&
    keys[0] === 'attachment' &&
    keys[1] === 'sha256' &&
    typeof attachment === 'string' &&
    /^[A-Za-z0-9-]{1,100}$/.test(attachment) &&
    typeof sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(sha256)
  )
}

function checkFieldValue(field: TaskFieldConfig, value: JsonValue): void {
  const fail = (message: string): never => {
    throw new AnswerError(`"${field.label}" ${message}`, field.name)
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') fail('must be text.')
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a number.')
      return
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be yes or no.')
      return
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) fail('must be a date like 2025-03-01.')
      return
    case 'file':
      if (!isFileReference(value)) fail('must be a file attached to this task.')
      return
    case 'choice':
      if (!field.options?.some((option) => option.value === value)) {
        fail(`must be one of: ${(field.options ?? []).map((option) => option.label).join(', ')}.`)
      }
  }
}

/**
 * Check an answer against form fields: each value fits its type, required ones are there, and
 * no key is unknown (`extraKeys` names keys handled by the caller, such as `value`).
 * Returns every field's value, null for an optional field left blank.
 */
export function checkFields(
  fields: readonly TaskFieldConfig[],
  answer: Record<string, JsonValue>,
  extraKeys: readonly string[] = [],
): Record<string, JsonValue> {
  for (const key of Object.keys(answer)) {
    if (!extraKeys.includes(key) && !fields.some((field) => field.name === key)) {
      throw new AnswerError('The answer has a field this step does not ask for.', key)
    }
  }
  const values: Record<string, JsonValue> = {}
  for (const field of fields) {
    const value = Object.hasOwn(answer, field.name) ? answer[field.name] : undefined
    const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
    if (blank) {
      if (field.required) throw new AnswerError(`"${field.label}" is required.`, field.name)
      values[field.name] = null
      continue
    }
    checkFieldValue(field, value)
    values[field.name] = value
  }
  return values
}

/** The option an answer `{ value }` picks; refuses a missing or unknown choice. */
export function chosenOption<O extends { value: string; label: string }>(
  options: readonly O[],
  answer: Record<string, JsonValue>,
): O {
  const labels = options.map((option) => option.label).join(', ')
  const value = answer['value']
  if (value === undefined || value === null || value === '') throw new AnswerError(`Choose one of: ${labels}.`, 'value')
  const option = options.find((candidate) => candidate.value === value)
  if (!option) throw new AnswerError(`That answer is not one of: ${labels}.`, 'value')
  return option
}

import { z } from 'zod'

/** A field a human step asks for. The engine validates answers against these. */
export const taskFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  /** `file`: evidence attached to the task, answered as `{ attachment, sha256 }`. */
  type: z.enum(['string', 'number', 'boolean', 'date', 'choice', 'file']),
  required: z.boolean(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
})
/** A field a human step asks for (see `taskFieldSchema`). */
export type TaskField = z.infer<typeof taskFieldSchema>

/** What a human step asks of a person; the run waits until it is answered. */
export const taskRequestSchema = z.object({
  /** The flow role whose queue gets the task. */
  role: z.string(),
  title: z.string(),
  prompt: z.string().optional(),
  /** Fact paths the task may show, and nothing else. */
  shows: z.array(z.string()),
  /** Form fields to fill in (task.form, task.approval). */
  fields: z.array(taskFieldSchema),
  /** Answer buttons, each leading to a port (guide.question, task.approval). */
  options: z.array(z.object({ value: z.string(), label: z.string(), port: z.string() })).optional(),
  /**
   * When the step is due (ISO-8601, from the injected clock and the flow's calendar), and whether
   * the run then leaves by the step's `timeout` port instead of waiting on.
   */
  due: z.object({ at: z.string(), timeout: z.boolean() }).strict().optional(),
})
/** What a human step asks of a person (see `taskRequestSchema`). */
export type TaskRequest = z.infer<typeof taskRequestSchema>

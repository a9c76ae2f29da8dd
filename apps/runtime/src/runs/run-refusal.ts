// The engine refuses a start or a step with its own error codes; a caller of the runs service
// sees them as the runtime's errors (errors.ts), so a router maps them like any other. Shared by
// the start path (run-start.ts) and the step path (runs.service.ts).
import type { JsonValue } from '@carepath/dsl'
import { RunRefusedError } from '@carepath/engine'
import { AppError } from '../errors.ts'
import { patientValuesIn, redactFreeText } from '../phi/free-text.ts'

/** A refusal as the caller sees it; its message is scrubbed of the values that were refused. */
export function refusal(error: unknown, refused: JsonValue = null): never {
  if (error instanceof RunRefusedError) {
    const message = redactFreeText(error.message, patientValuesIn(refused))
    if (error.code === 'invalid-input') throw new AppError('bad-input', message, { path: 'input' })
    if (error.code === 'invalid-answer')
      throw new AppError('invalid-answer', message, { path: error.path ? `answer.${error.path}` : 'answer' })
    if (error.code === 'flow-not-runnable') throw new AppError('conflict', error.message, { path: 'flowId' })
    if (
      error.code === 'no-open-task' ||
      error.code === 'not-awaiting' ||
      error.code === 'run-ended' ||
      error.code === 'not-due'
    )
      throw new AppError('conflict', error.message)
    if (error.code === 'no-incident') throw new AppError('conflict', error.message)
    if (error.code === 'invalid-port') throw new AppError('bad-input', error.message, { path: 'port' })
  }
  throw error
}

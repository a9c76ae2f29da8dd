// The AppError a piece of work was refused with, for tests that read its code and words.
import { AppError } from '../errors.ts'

/** The AppError `work` was refused with; anything else (or no refusal) fails the test. */
export async function appErrorOf(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return error
}

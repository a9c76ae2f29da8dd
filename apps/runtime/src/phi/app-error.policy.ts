// Errors as the caller sees them. A refusal can quote what was refused (an answer, a case's
// input, a value a validator names), so its message and problem messages are free text,
// redacted of the patient data the request carried.
import type { Problem } from '@carepath/dsl'
import { AppError, type AppErrorDetails } from '../errors.ts'
import { patientValuesIn } from './free-text.ts'
import { each, freeText, NO_FACTS, object, structure } from './redaction-policy.ts'

export const appErrorDetailsPolicy = object<AppErrorDetails>({
  path: structure,
  problems: each(
    object<Problem>({
      code: structure,
      severity: structure,
      nodeId: structure,
      path: structure,
      message: freeText,
      // A path the flow's author declared (or a node's config names) and a fixed word: no patient data.
      fact: object<NonNullable<Problem['fact']>>({ path: structure, use: structure }),
    }),
  ),
  // Plain sentences the review service writes from the version's state.
  blockers: structure,
})

/** The same error with every patient value of `patientData` taken out of its text. */
export function redactAppError(error: AppError, ...patientData: readonly unknown[]): AppError {
  const ctx = { ...NO_FACTS, patientValues: patientValuesIn(...patientData) }
  return new AppError(error.code, freeText(error.message, ctx), appErrorDetailsPolicy(error.details, ctx))
}

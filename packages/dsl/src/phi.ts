import { z } from 'zod'

/**
 * The classes of patient data Carepath tells apart (HIPAA "minimum necessary").
 * A facts-schema leaf names one class in `x-phi`; a flow role lists the classes it may see;
 * a node type lists the classes it handles. `none` marks a field that is not PHI.
 * Anything unclassified is treated as PHI nobody may see (fail closed).
 */
export const phiClassSchema = z.enum([
  'none', // explicitly not patient data (codes, flags, amounts not tied to a person)
  'identifier', // MRN, member id, SSN, control ids that point at a person
  'demographic', // name, birth date, sex, address
  'contact', // phone, email, contact preferences
  'coverage', // payer, plan, benefits, eligibility detail
  'clinical', // diagnoses, results, answers to clinical questions
  'financial', // balances, estimates, payments tied to a person
  'sensitive', // specially protected: mental health, substance use, reproductive, HIV
])
/** One PHI class (`none` for data that is not PHI). */
export type PhiClass = z.infer<typeof phiClassSchema>

/** Every class, in a stable order (used by tests and the designer's legend). */
export const PHI_CLASSES: readonly PhiClass[] = phiClassSchema.options

// The installation's PHI classes (packages/dsl phi.ts) in the words an analyst picks them by.
import type { PhiClass } from '@carepath/dsl'

/** A short label per PHI class, for selects and check lists. */
export const PHI_CLASS_LABELS: Record<PhiClass, string> = {
  none: 'Not PHI',
  identifier: 'Identifier (MRN, member id)',
  demographic: 'Demographic (name, birth date)',
  contact: 'Contact (phone, email)',
  coverage: 'Coverage (payer, plan)',
  clinical: 'Clinical (diagnoses, results)',
  financial: 'Financial (balances, payments)',
  sensitive: 'Specially protected',
}

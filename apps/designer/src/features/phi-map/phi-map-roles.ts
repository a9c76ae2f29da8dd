// Who may read the installation's PHI map and record its quarterly review (the runtime's
// phiMap.rollup and phiMap.markReviewed), so the designer offers the screen to them only.
import type { SessionUser } from '../../api/carepath-api.ts'

/** Roles the runtime lets read the installation's map and mark it reviewed. */
export const PHI_ROLLUP_ROLES: readonly SessionUser['role'][] = ['compliance', 'auditor', 'admin']

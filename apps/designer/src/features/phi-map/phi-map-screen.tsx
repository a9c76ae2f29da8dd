// The compliance officer's own screen for the installation's PHI touchpoint map: the quarterly
// review (and whether it is overdue) with "Mark reviewed today", every flow and outside system.
// Auditors and admins reach the same section from their Audit and Users screens.
import { PhiMapRollupSection } from './phi-map-rollup-section.tsx'

export function PhiMapScreen() {
  return (
    <div className="cp-page" data-testid="phi-map-screen">
      <div className="cp-page-head">
        <h1>PHI map</h1>
      </div>
      <p className="cp-hint">
        Where patient data enters, moves and leaves, across every published flow. Review it once a quarter: an overdue
        review raises an alert for the compliance owner.
      </p>
      <PhiMapRollupSection />
    </div>
  )
}

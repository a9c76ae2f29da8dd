// The review's view of the PHI map: what the version under review adds to and removes from the
// published version's map, in sentences ("clinical data now sent to SMS gateway …").
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'
import { phiMapApi } from './phi-map-api.ts'
import './phi-map.css'

export function PhiMapDiffSection({ flowId, hash }: { flowId: string; hash: string }) {
  const diff = useLoader(() => phiMapApi.diff(flowId), [flowId, hash])
  const against = diff.data?.publishedRevision
  return (
    <section aria-labelledby="review-phi-map-heading" data-testid="review-phi-map-diff">
      <h4 id="review-phi-map-heading">PHI map changes</h4>
      {diff.loading && !diff.data ? (
        <Loading what="the PHI map changes" />
      ) : diff.error ? (
        <ErrorState message={diff.error} retry={diff.reload} />
      ) : !diff.data ? null : diff.data.added.length + diff.data.removed.length === 0 ? (
        <Empty>No change to where patient data enters, goes or is seen.</Empty>
      ) : (
        <>
          <p className="cp-hint">
            {against === null
              ? 'Nothing is published yet: every touchpoint of this version is new.'
              : `Against the published version ${against}:`}
            {diff.data.newClasses.length > 0 && ` New classes of patient data: ${diff.data.newClasses.join(', ')}.`}
          </p>
          <ul className="cp-phi-diff" data-testid="review-phi-map-changes">
            {diff.data.added.map((c, i) => (
              <li key={`a${i}`} className="added">
                {c.summary}
              </li>
            ))}
            {diff.data.removed.map((c, i) => (
              <li key={`r${i}`} className="removed">
                {c.summary}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

// The review's "Test cases changed": the cases saved with the version under review against the
// ones saved with the published version, by name. Cases travel with the draft; a reviewer sees
// which were added, dropped or rewritten (an expectation moved with a threshold) before deciding.
import { api } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { ErrorState } from '../../screens/state-views.tsx'
import { readSuite } from '../../suites/suite.store.ts'
import { noSuiteChanges, suiteChanges, type SuiteChanges } from './suite-changes.ts'

async function loadChanges(flowId: string, hash: string, publishedHash: string): Promise<SuiteChanges | null> {
  const history = await api.history(flowId)
  // The version under review is the newest revision with its hash (saving only its cases adds a
  // revision with the same hash); the published one is the revision that was published, not a
  // later save of the same document with other cases.
  const underReview = history.filter((v) => v.hash === hash).sort((a, b) => b.revision - a.revision)[0]
  const published = history.find((v) => v.hash === publishedHash && v.status === 'published')
  if (!underReview || !published) return null
  const [after, before] = await Promise.all([
    api.suiteAt(flowId, underReview.revision),
    api.suiteAt(flowId, published.revision),
  ])
  return suiteChanges(readSuite(flowId, [before]).cases, readSuite(flowId, [after]).cases)
}

export function ReviewSuiteDiff({
  flowId,
  hash,
  publishedHash,
}: {
  flowId: string
  hash: string
  publishedHash: string
}) {
  const changes = useLoader(() => loadChanges(flowId, hash, publishedHash), [flowId, hash, publishedHash])
  if (changes.error) return <ErrorState message={changes.error} retry={changes.reload} />
  if (!changes.data) return null
  const { added, removed, changed } = changes.data
  return (
    <section data-testid="review-suite-diff">
      <h4>Test cases since the published version</h4>
      {noSuiteChanges(changes.data) ? (
        <p className="cp-hint">No test case was added, removed or changed.</p>
      ) : (
        <ul>
          {added.length > 0 && <li>Added: {added.join(', ')}</li>}
          {changed.length > 0 && <li>Changed: {changed.join(', ')}</li>}
          {removed.length > 0 && <li>Removed: {removed.join(', ')}</li>}
        </ul>
      )}
    </section>
  )
}

// The editor's "PHI map" tab: what the flow, as it stands in the editor (unsaved changes
// included), does with each class of patient data. Mapped by the runtime, which knows the
// connector settings and so whether each channel is encrypted; refreshed a moment after edits.
import { useEffect, useState } from 'react'
import { clearancesSentence, PHI_MAP_FORMATS, type PhiMapFormat } from '@carepath/dsl'
import { useLoader } from '../../api/use-loader.ts'
import { useEditor } from '../../store/editor.store.ts'
import { subscribeToContent } from '../../store/same-content.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'
import { phiMapApi } from './phi-map-api.ts'
import { downloadPhiMap } from './phi-map-export.ts'
import { PhiMapGraph } from './phi-map-graph.tsx'
import { PhiClassSummary, PhiTouchpointTable } from './phi-map-table.tsx'
import './phi-map.css'

const DELAY_MS = 400
const FORMAT_LABEL: Record<PhiMapFormat, string> = { md: 'Markdown', csv: 'CSV', json: 'JSON' }

/** A counter that moves a moment after the flow's content last changed. */
function useContentVersion(): number {
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    // Content only: dragging a node does not map again.
    const unsubscribe = subscribeToContent(() => {
      clearTimeout(timer)
      timer = setTimeout(() => setVersion((v) => v + 1), DELAY_MS)
    })
    return () => {
      clearTimeout(timer)
      unsubscribe()
    }
  }, [])
  return version
}

export function PhiMapPanel() {
  const version = useContentVersion()
  const map = useLoader(() => phiMapApi.preview(useEditor.getState().document()), [version])
  return (
    <div className="cp-panel" data-testid="phi-map-panel">
      <h3>PHI map</h3>
      <p className="cp-hint">
        Where each class of patient data enters this flow, which steps read and write it, which outside systems it is
        sent to and which queues see it, for the flow as it stands here (unsaved changes included). Where a
        queue&rsquo;s PHI clearance withholds what the flow asks for, the map says so.
      </p>
      {map.loading && !map.data ? (
        <Loading what="the PHI map" />
      ) : map.error ? (
        <ErrorState message={map.error} retry={map.reload} />
      ) : !map.data || map.data.touchpoints.length === 0 ? (
        <Empty>This flow touches no patient data: no fact it uses is classified as PHI.</Empty>
      ) : (
        <>
          <div className="cp-row" role="group" aria-label="Download the PHI map">
            {PHI_MAP_FORMATS.map((format) => (
              <button
                key={format}
                type="button"
                className="cp-btn small"
                onClick={() => map.data && downloadPhiMap(map.data, format)}
                data-testid={`phi-map-download-${format}`}
              >
                Download {FORMAT_LABEL[format]}
              </button>
            ))}
          </div>
          <p className="cp-hint" data-testid="phi-map-clearances">
            {clearancesSentence(map.data)}
          </p>
          {map.data.unmapped.length > 0 && (
            <p className="cp-banner warn" role="status">
              Not mapped (node type not installed or settings invalid): {map.data.unmapped.join(', ')}
            </p>
          )}
          <PhiMapGraph map={map.data} />
          <h4>By class</h4>
          <PhiClassSummary map={map.data} />
          <h4>Every touchpoint</h4>
          <PhiTouchpointTable map={map.data} />
        </>
      )}
    </div>
  )
}

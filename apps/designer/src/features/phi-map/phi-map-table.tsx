// The map in words: per class where it enters, who reads, writes and sees it and where it is sent,
// then every touchpoint as a row. A table a keyboard user can scroll (it is focusable).
import type { PhiMapView } from './phi-map-api.ts'

const KIND_LABEL: Record<PhiMapView['touchpoints'][number]['kind'], string> = {
  enters: 'enters',
  read: 'read by',
  written: 'written by',
  sent: 'sent by',
  shown: 'shown in',
  'may-see': 'queue may see',
}

export function PhiClassSummary({ map }: { map: PhiMapView }) {
  return (
    <dl className="cp-phi-classes" data-testid="phi-map-classes">
      {map.classes.map((c) => (
        <div key={c.phiClass} className="cp-phi-class" data-testid={`phi-class-${c.phiClass}`}>
          <dt>{c.phiClass}</dt>
          <dd>
            {c.sentTo.length > 0 ? `Sent to ${c.sentTo.join('; ')}.` : 'Not sent outside.'}{' '}
            {c.enters.length > 0 && `Enters at ${c.enters.join('; ')}.`}{' '}
            {c.queues.length > 0 ? `Queues: ${c.queues.join(', ')}.` : 'No queue sees it.'}
          </dd>
        </div>
      ))}
    </dl>
  )
}

export function PhiTouchpointTable({ map }: { map: PhiMapView }) {
  return (
    <div className="cp-phi-table-wrap" tabIndex={0} role="region" aria-label="Every PHI touchpoint">
      <table className="cp-table compact" data-testid="phi-map-table">
        <caption className="cp-sr-only">Every place this flow touches patient data</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Touchpoint</th>
            <th scope="col">Step or queue</th>
            <th scope="col">System</th>
            <th scope="col">Encrypted</th>
            <th scope="col">Facts</th>
          </tr>
        </thead>
        <tbody>
          {map.touchpoints.map((t, i) => (
            <tr key={i} data-testid="phi-map-row" className={t.endpoint?.outside ? 'outside' : undefined}>
              <td>{t.phiClass}</td>
              <td>{t.kind === 'enters' ? `enters (${t.source ?? 'run input'})` : KIND_LABEL[t.kind]}</td>
              <td>{t.where}</td>
              <td>
                {t.endpoint
                  ? `${t.endpoint.system} (${t.endpoint.outside ? 'outside' : 'inside'}, channel: ${t.endpoint.channel})`
                  : (t.queue ?? '')}
              </td>
              <td title={t.endpoint?.encryptionNote}>{t.endpoint?.encrypted ?? ''}</td>
              <td>
                <code>{t.facts.join(', ')}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

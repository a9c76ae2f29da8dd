// The map in words: per class where it enters, who reads, writes and sees it and where it is sent,
// then every touchpoint as a row. A table a keyboard user can scroll (it is focusable). Where a
// queue's PHI clearance withholds what the flow asks for, both say so in words.
import type { PhiMapView } from './phi-map-api.ts'

const KIND_LABEL: Record<PhiMapView['touchpoints'][number]['kind'], string> = {
  enters: 'enters',
  read: 'read by',
  written: 'written by',
  sent: 'sent by',
  shown: 'shown in',
  'may-see': 'queue may see',
}

/** The Touchpoint cell of a row the queue's clearance withholds: what was asked for, and that it is not seen. */
const WITHHELD_LABEL: Partial<Record<PhiMapView['touchpoints'][number]['kind'], string>> = {
  shown: "would be shown in (withheld by the queue's clearance)",
  'may-see': 'queue asks for (withheld by its clearance)',
}

function touchLabel(t: PhiMapView['touchpoints'][number]): string {
  if (t.kind === 'enters') return `enters (${t.source ?? 'run input'})`
  return (t.withheld ? WITHHELD_LABEL[t.kind] : undefined) ?? KIND_LABEL[t.kind]
}

const sentence = (words: string) => `${words.charAt(0).toUpperCase()}${words.slice(1)}.`

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
            {(c.withheld ?? []).map((words) => (
              <span key={words} data-testid="phi-class-withheld">
                {' '}
                {sentence(words)}
              </span>
            ))}
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
              <td>{touchLabel(t)}</td>
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

// One audit record in full, beside the list: who, what, its chain hash, and its "why" in plain
// sentences, with the record as the server stored it (patient values already replaced by
// references or hashes) behind a disclosure.
import type { FlowDocument } from '@carepath/dsl'
import { api, type AuditItem } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { ExplanationView } from '../panels/explanation-view.tsx'
import { stepTitle, withRuleNames } from './audit-decision-words.ts'
import { whySentences } from './audit-why-words.ts'

export function RecordDrawer({ item, onClose }: { item: AuditItem; onClose(): void }) {
  const { record } = item
  const entity = Object.entries(record.entity).filter(([, v]) => v)
  return (
    <aside className="cp-drawer" data-testid="audit-detail" aria-label={`Audit record ${item.seq}`}>
      <div className="cp-drawer-head">
        <h3>
          Record #{item.seq} <code>{record.action}</code>
        </h3>
        <span className="cp-spacer" />
        <button type="button" className="cp-btn small ghost" onClick={onClose} data-testid="audit-detail-close">
          Close
        </button>
      </div>
      <dl className="cp-audit-fields">
        <dt>When</dt>
        <dd>{record.recorded}</dd>
        <dt>Who</dt>
        <dd>
          {record.agent.who} ({record.agent.role === 'system' ? 'the installation itself' : record.agent.role})
        </dd>
        <dt>Outcome</dt>
        <dd>{record.outcome}</dd>
        {entity.map(([key, value]) => (
          <FieldRow key={key} label={key} value={String(value)} />
        ))}
        <dt>Chain hash</dt>
        <dd>
          <code className="cp-hash" data-testid="audit-detail-hash">
            {item.hash}
          </code>
        </dd>
      </dl>
      <h4>Why</h4>
      <Why record={record} />
      <p className="cp-muted small">
        Patient values never enter the trail: explanations name facts by path, reference or hash.
      </p>
    </aside>
  )
}

/**
 * The record's "why" in sentences (a run step's decisions read as explanations: rules,
 * conditions, what each saw as references, not values); the record as stored behind a disclosure.
 */
function Why({ record }: { record: AuditItem['record'] }) {
  const decisions = record.action === 'run.start' || record.action === 'run.step' ? record.why.decisions : []
  const { flow, hash } = record.entity
  // The version the run was on gives its steps' titles, its rules' names and its facts' PHI
  // classes; until it arrives (or for a reader who may not open it), ids show.
  const version = useLoader(
    (): Promise<FlowDocument | null> =>
      decisions.length > 0 && flow && hash ? api.version(flow, hash).catch(() => null) : Promise.resolve(null),
    [decisions.length > 0, flow, hash],
  )
  const document = version.data
  const why = 'why' in record ? record.why : undefined
  if (why === undefined) return <p className="cp-muted">No explanation recorded for this action.</p>
  const sentences = whySentences(record)
  return (
    <div data-testid="audit-detail-why">
      {sentences.length > 0 && (
        <ul className="cp-audit-sentences" data-testid="audit-detail-sentences">
          {sentences.map((sentence, i) => (
            <li key={i}>{sentence}</li>
          ))}
        </ul>
      )}
      {decisions.map((d, i) => (
        <div key={`${d.node}-${i}`} className="cp-audit-decision">
          <div>
            Decision <b>{stepTitle(document, d.node)}</b> <code className="cp-muted small">{d.node}</code>
            {d.port && (
              <>
                {' '}
                → port <b>{d.port}</b>
              </>
            )}
          </div>
          <ExplanationView explanation={withRuleNames(d.explanation, document, d.node)} facts={document?.facts} />
        </div>
      ))}
      {/* Only when no sentence could be made does the stored record show openly. */}
      <details open={sentences.length === 0 && decisions.length === 0}>
        <summary>The record as stored (JSON)</summary>
        <pre className="cp-audit-why" data-testid="audit-detail-json">
          {JSON.stringify(why, null, 2)}
        </pre>
      </details>
    </div>
  )
}

const FIELD_LABELS: Record<string, string> = { flow: 'Flow', hash: 'Version', run: 'Run', task: 'Task', user: 'User' }

function FieldRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{FIELD_LABELS[label] ?? label}</dt>
      <dd>
        <code className="cp-hash">{value}</code>
      </dd>
    </>
  )
}

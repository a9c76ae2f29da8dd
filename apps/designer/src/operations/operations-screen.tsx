// Operations (operator and admin): runs held at a failed step, alerts and whose they are, inbound
// messages that started no run, completion metrics per flow version, and the owners and alert
// rules. Every row links to the run viewer; nothing here shows patient data (the runtime sends
// none to these roles).
import { AlertsPanel } from './alerts-panel.tsx'
import { IncidentsPanel } from './incidents-panel.tsx'
import { DeadLettersPanel } from './dead-letters-panel.tsx'
import { MetricsPanel } from './metrics-panel.tsx'
import { OwnersAndRulesPanel } from './owners-and-rules-panel.tsx'
import type { OperationsTab } from '../route.ts'
import './operations.css'

const TABS: { id: OperationsTab; title: string }[] = [
  { id: 'incidents', title: 'Incidents' },
  { id: 'alerts', title: 'Alerts' },
  { id: 'dead-letters', title: 'Dead letters' },
  { id: 'metrics', title: 'Metrics' },
  { id: 'owners', title: 'Owners and rules' },
]

export function OperationsScreen({ tab }: { tab: OperationsTab }) {
  return (
    <div className="cp-page" data-testid="operations">
      <div className="cp-page-head">
        <h1>Operations</h1>
        <nav className="cp-ops-tabs" aria-label="Operations">
          {TABS.map((t) => (
            <a
              key={t.id}
              href={`#/operations/${t.id}`}
              className={`cp-btn small${tab === t.id ? ' primary' : ' ghost'}`}
              aria-current={tab === t.id ? 'page' : undefined}
              data-testid={`ops-tab-${t.id}`}
            >
              {t.title}
            </a>
          ))}
        </nav>
      </div>
      {tab === 'incidents' && <IncidentsPanel />}
      {tab === 'alerts' && <AlertsPanel />}
      {tab === 'dead-letters' && <DeadLettersPanel />}
      {tab === 'metrics' && <MetricsPanel />}
      {tab === 'owners' && <OwnersAndRulesPanel />}
    </div>
  )
}

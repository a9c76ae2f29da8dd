// The palette: every installed node type, grouped by category and searchable, generated from
// the registry. Drag a type onto the canvas (or press Enter or Space on it) to add a node.
import { memo, useMemo, useState, type DragEvent } from 'react'
import { registry } from '../registry.ts'
import { searchPalette } from './palette-search.ts'

/** The drag-and-drop payload type the canvas accepts. */
export const PALETTE_MIME = 'application/x-carepath-node-type'

function PalettePanelView({ onAdd, disabled = false }: { onAdd(type: string): void; disabled?: boolean }) {
  const [search, setSearch] = useState('')
  const groups = useMemo(() => searchPalette(registry.palette(), search), [search])

  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(PALETTE_MIME, type)
    event.dataTransfer.effectAllowed = 'copy'
  }

  return (
    <aside className={`cp-palette${disabled ? ' is-disabled' : ''}`} data-testid="palette">
      {disabled && <p className="cp-hint">Read-only: nothing can be added here.</p>}
      <input
        className="cp-input"
        placeholder="Search node types"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        data-testid="palette-search"
        aria-label="Search node types"
      />
      {registry.list().length === 0 && <p className="cp-empty">No node types are installed.</p>}
      {registry.list().length > 0 && groups.length === 0 && (
        <p className="cp-empty">No node type matches “{search}”.</p>
      )}
      {groups.map((group) => (
        <section key={group.category} className="cp-palette-group">
          <h4>{group.category}</h4>
          {group.types.map((t) => (
            <div
              key={t.type}
              className="cp-palette-item"
              draggable={!disabled}
              tabIndex={disabled ? -1 : 0}
              role="button"
              // Greyed out because nothing can be added: an inactive control (WCAG 1.4.3 exempts it).
              aria-disabled={disabled || undefined}
              onDragStart={(e) => onDragStart(e, t.type)}
              // A button's keys: Enter or Space adds the step (Space would otherwise scroll the palette).
              onKeyDown={(e) => {
                if (disabled || (e.key !== 'Enter' && e.key !== ' ')) return
                e.preventDefault()
                onAdd(t.type)
              }}
              onDoubleClick={() => onAdd(t.type)}
              title={t.description}
              data-testid={`palette-${t.type}`}
            >
              <span className="cp-node-icon">{t.icon}</span>
              <span className="cp-palette-text">
                <strong>{t.title}</strong>
                <small>{t.type}</small>
              </span>
            </div>
          ))}
        </section>
      ))}
    </aside>
  )
}

export const PalettePanel = memo(PalettePanelView)

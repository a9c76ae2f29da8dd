// The picker quick-add opens: a search field and the step types a port may lead to, grouped and
// drawn as the palette draws them. A combobox with its list always open, so it works the same by
// keyboard and by mouse: type to narrow, arrows to move, Enter (or a click) picks, Escape closes
// and changes nothing, and leaving it closes it too.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { registry } from '../../registry.ts'
import { bestMatch, quickAddGroups } from './quick-add-types.ts'
import './quick-add.css'

export function QuickAddPicker({
  stepTitle,
  portTitle,
  onPick,
  onClose,
}: {
  /** The step the new one follows, by the title it shows. */
  stepTitle: string
  /** The port the new step follows, in the words its node shows. */
  portTitle: string
  onPick(type: string): void
  onClose(): void
}) {
  const ids = useId()
  const [query, setQuery] = useState('')
  // The type moved to with the arrows or the mouse; until then the search's best match.
  const [active, setActive] = useState<string | null>(null)
  const groups = useMemo(() => quickAddGroups(registry.palette(), query), [query])
  const types = useMemo(() => groups.flatMap((g) => g.types), [groups])
  const chosen = types.find((t) => t.type === active) ?? bestMatch(types, query)
  const box = useRef<HTMLDivElement>(null)
  const field = useRef<HTMLInputElement>(null)
  const listbox = useRef<HTMLDivElement>(null)
  // Where Escape gives the focus back: what had it when the picker opened.
  const [opener] = useState(() => document.activeElement)
  const optionId = (type: string) => `${ids}-option-${type}`

  useEffect(() => field.current?.focus({ preventScroll: true }), [])
  useEffect(() => {
    if (!chosen) return
    listbox.current?.querySelector(`[data-type="${CSS.escape(chosen.type)}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [chosen])

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      onClose()
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
    } else if (event.key === 'Enter') {
      event.preventDefault()
      if (chosen) onPick(chosen.type)
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      const at = chosen ? types.indexOf(chosen) : 0
      const next = types[Math.max(0, Math.min(types.length - 1, at + step))]
      if (next) setActive(next.type)
    }
  }

  return (
    <div
      ref={box}
      className="cp-quick-add"
      role="dialog"
      aria-labelledby={`${ids}-title`}
      data-testid="quick-add"
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        if (!box.current?.contains(event.relatedTarget)) onClose()
      }}
    >
      <label className="cp-quick-add-title" id={`${ids}-title`} htmlFor={`${ids}-field`}>
        New step after “{stepTitle}”<small className="cp-hint"> on its “{portTitle}” outcome</small>
      </label>
      <input
        ref={field}
        id={`${ids}-field`}
        className="cp-input"
        role="combobox"
        aria-expanded="true"
        aria-controls={`${ids}-list`}
        aria-autocomplete="list"
        aria-activedescendant={chosen ? optionId(chosen.type) : undefined}
        placeholder="Type to find a step"
        autoComplete="off"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value)
          setActive(null)
        }}
        data-testid="quick-add-search"
      />
      <div ref={listbox} id={`${ids}-list`} className="cp-quick-add-list" role="listbox" aria-label="Step types">
        {groups.map((group) => (
          <div key={group.category} role="group" aria-label={group.category}>
            <div className="cp-quick-add-group" aria-hidden="true">
              {group.category}
            </div>
            {group.types.map((t) => (
              <div
                key={t.type}
                id={optionId(t.type)}
                role="option"
                aria-selected={t === chosen}
                className={`cp-quick-add-option${t === chosen ? ' is-active' : ''}`}
                title={t.description}
                data-type={t.type}
                data-testid={`quick-add-${t.type}`}
                // The field keeps the focus, so a click does not close the picker before it picks.
                onMouseDown={(e) => e.preventDefault()}
                onMouseMove={() => setActive(t.type)}
                onClick={() => onPick(t.type)}
              >
                <span className="cp-node-icon" aria-hidden="true">
                  {t.icon}
                </span>
                <span className="cp-palette-text">
                  <strong>{t.title}</strong>
                  <small>{t.type}</small>
                </span>
              </div>
            ))}
          </div>
        ))}
      </div>
      {types.length === 0 && (
        <p className="cp-empty small" role="status">
          No step type matches “{query}”.
        </p>
      )}
      <p className="cp-hint cp-quick-add-keys">Enter adds it · Esc closes</p>
    </div>
  )
}

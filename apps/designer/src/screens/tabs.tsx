import { useRef, type KeyboardEvent, type ReactNode } from 'react'

export interface TabSpec<T extends string> {
  id: T
  label: ReactNode
  testId?: string
}

/**
 * The row of tabs every panel uses (`.cp-tabs`), as an ARIA tablist: one Tab stop (the open
 * tab), arrow keys, Home and End move between tabs and open them. A strip wider than its panel
 * scrolls sideways, and the focused tab scrolls into view. The caller keeps which tab is open.
 */
export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
  small,
  label,
}: {
  tabs: readonly TabSpec<T>[]
  value: T
  onChange: (id: T) => void
  small?: boolean
  /** What the tabs choose between, for screen readers ("Side panel"). */
  label?: string
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([])
  const open = Math.max(
    0,
    tabs.findIndex((t) => t.id === value),
  )
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const last = tabs.length - 1
    const target =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined
    const tab = target === undefined ? undefined : tabs[target]
    if (target === undefined || !tab) return
    event.preventDefault()
    onChange(tab.id)
    const button = buttons.current[target]
    button?.focus()
    button?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  }
  return (
    <div className={small ? 'cp-tabs small' : 'cp-tabs'} role="tablist" aria-label={label}>
      {tabs.map((t, index) => (
        <button
          key={t.id}
          ref={(el) => {
            buttons.current[index] = el
          }}
          type="button"
          role="tab"
          aria-selected={value === t.id}
          tabIndex={index === open ? 0 : -1}
          className={value === t.id ? 'active' : ''}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKeyDown(e, index)}
          data-testid={t.testId}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}

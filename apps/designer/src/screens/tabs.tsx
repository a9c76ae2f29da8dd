import type { ReactNode } from 'react'

export interface TabSpec<T extends string> {
  id: T
  label: ReactNode
  testId?: string
}

/** The row of tab buttons every panel uses (`.cp-tabs`); the caller keeps which tab is open. */
export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
  small,
}: {
  tabs: readonly TabSpec<T>[]
  value: T
  onChange: (id: T) => void
  small?: boolean
}) {
  return (
    <div className={small ? 'cp-tabs small' : 'cp-tabs'}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          className={value === t.id ? 'active' : ''}
          onClick={() => onChange(t.id)}
          data-testid={t.testId}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}

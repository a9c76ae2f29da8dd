// A task form's file field: the evidence attached to the task, and the one chosen for this field
// is answered by reference (its id and sha256), so the run's facts name exactly those bytes.
import { useState } from 'react'
import type { JsonValue, TaskField } from '@carepath/dsl'
import { EvidenceList } from './evidence-list.tsx'
import type { EvidenceTarget } from './evidence-files.ts'

export function TaskFileField({
  field,
  target,
  onChange,
}: {
  field: TaskField
  target: EvidenceTarget
  onChange(value: JsonValue): void
}) {
  const [chosen, setChosen] = useState<string | null>(null)
  return (
    <div className="cp-field" data-testid={`task-field-${field.name}`}>
      <EvidenceList
        target={target}
        canAttach
        title={`${field.label}${field.required ? ' *' : ''}`}
        onAttached={(a) => {
          setChosen(a.name)
          onChange({ attachment: a.id, sha256: a.sha256 })
        }}
      />
      <p className="cp-hint" role="status">
        {chosen ? `“${chosen}” is sent with the answer.` : 'Attach the file this field asks for.'}
      </p>
    </div>
  )
}

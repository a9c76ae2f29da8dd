// The simulation cases of the open flow: the flow's stored suite to start with, then edited
// here (kept in session storage per flow so switching panels loses nothing).
import { useEffect, useState } from 'react'
import type { JsonValue } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'

export interface SuiteCaseJson {
  id: string
  name?: string
  input: Record<string, JsonValue>
  mocks?: Record<string, JsonValue>
  answers?: Record<string, JsonValue>
  expect?: { outcome?: string; path?: string[] }
}

const key = (flowId: string) => `carepath.suite.${flowId}`

export function useSuite(flowId: string) {
  const [cases, setCasesState] = useState<SuiteCaseJson[]>(() => {
    const stored = sessionStorage.getItem(key(flowId))
    return stored ? (JSON.parse(stored) as SuiteCaseJson[]) : []
  })
  const [loading, setLoading] = useState(() => sessionStorage.getItem(key(flowId)) === null)
  useEffect(() => {
    if (!loading) return
    api.getFlow(flowId).then(
      (detail) => {
        const suites = ((detail as unknown as { suites?: { cases?: SuiteCaseJson[] }[] }).suites ?? []) as {
          cases?: SuiteCaseJson[]
        }[]
        // Only the members a suite case has; stored suites may carry notes (source, ...) beside them.
        setCasesState(
          suites
            .flatMap((s) => s.cases ?? [])
            .map((c, i) => {
              const out: SuiteCaseJson = { id: c.id ?? `case-${i + 1}`, input: c.input ?? {} }
              if (c.name) out.name = c.name
              if (c.mocks) out.mocks = c.mocks
              if (c.answers) out.answers = c.answers
              if (c.expect) out.expect = c.expect
              return out
            }),
        )
        setLoading(false)
      },
      () => setLoading(false),
    )
  }, [flowId, loading])
  const setCases = (next: SuiteCaseJson[]) => {
    setCasesState(next)
    sessionStorage.setItem(key(flowId), JSON.stringify(next))
  }
  return { cases, setCases, loading }
}

// The simulation cases of the open flow: the flow's stored suite to start with, then edited
// here (kept in session storage per flow so switching panels loses nothing).
import { useEffect, useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { casesFromText, storedCases, type SuiteCaseJson } from './suite-cases.ts'

const key = (flowId: string) => `carepath.suite.${flowId}`

function readStored(flowId: string): SuiteCaseJson[] | null {
  const stored = sessionStorage.getItem(key(flowId))
  return stored === null ? null : casesFromText(stored)
}

export function useSuite(flowId: string) {
  const [cases, setCasesState] = useState<SuiteCaseJson[]>(() => readStored(flowId) ?? [])
  const [loading, setLoading] = useState(() => readStored(flowId) === null)
  useEffect(() => {
    if (!loading) return
    api.getFlow(flowId).then(
      (detail) => {
        setCasesState(storedCases(detail.suites))
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

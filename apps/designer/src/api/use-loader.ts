// Loading, error and data for one server call, with reload; every screen shows all three states.
import { useCallback, useEffect, useRef, useState } from 'react'

export interface Loaded<T> {
  data: T | undefined
  error: string | null
  loading: boolean
  reload(): void
}

export function useLoader<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const run = useCallback(() => {
    const mine = ++generation.current
    setLoading(true)
    load().then(
      (value) => {
        if (mine !== generation.current) return
        setData(value)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (mine !== generation.current) return
        setError(e instanceof Error ? e.message : 'The request failed.')
        setLoading(false)
      },
    )
  }, deps)
  useEffect(run, [run])
  return { data, error, loading, reload: run }
}

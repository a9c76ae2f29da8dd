// After a screen change, focus moves to the new screen's heading (its h1), so a keyboard or
// screen-reader user starts on the screen they asked for instead of at the top of the body.
import { useEffect } from 'react'

/** The heading a screen starts at: its h1 inside the app's main region. */
const HEADING = 'main h1'
/** How long a screen may take to render its heading (it may be loading) before focus is left alone. */
const WAIT_MS = 10_000

/** Whether focus is somewhere a person put it on purpose (a field, a button), not lost on the body. */
function focusIsPlaced(): boolean {
  const active = document.activeElement
  return active !== null && active !== document.body && active.isConnected
}

/**
 * Focus the heading of the screen `screenKey` names, once it is rendered. Runs again whenever the
 * key changes. Focus a person already placed inside the new screen (an autofocused field) stays.
 */
export function useFocusOnNavigate(screenKey: string): void {
  useEffect(() => {
    const main = document.querySelector('main')
    if (!main) return
    const before = document.activeElement
    const tryFocus = (): boolean => {
      const heading = main.querySelector<HTMLElement>(HEADING)
      if (!heading) return false
      // Something inside the new screen took focus itself (an autofocused field): leave it there.
      if (focusIsPlaced() && document.activeElement !== before && main.contains(document.activeElement)) return true
      if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1
      heading.focus({ preventScroll: true })
      return true
    }
    if (tryFocus()) return
    const observer = new MutationObserver(() => {
      if (tryFocus()) stop()
    })
    const timer = window.setTimeout(() => stop(), WAIT_MS)
    const stop = () => {
      observer.disconnect()
      window.clearTimeout(timer)
    }
    observer.observe(main, { childList: true, subtree: true })
    return stop
  }, [screenKey])
}

// The decision table and rule editors opened across the whole window: a modal <dialog> (it keeps
// focus inside and closes on Esc natively), the same editor as the inspector's, and its syntax
// help in view beside it.
import { useEffect, useRef, type ReactNode } from 'react'
import { SyntaxHelp } from './syntax-help.tsx'

export function WideEditorDialog({
  title,
  type,
  onClose,
  children,
}: {
  title: string
  type: string
  onClose(): void
  children: ReactNode
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    const element = dialog.current
    if (!element) return
    // Where focus goes back to: the button that opened the dialog.
    const opener = document.activeElement
    element.showModal()
    heading.current?.focus()
    return () => {
      element.close()
      if (opener instanceof HTMLElement) opener.focus()
    }
  }, [])
  return (
    <dialog
      ref={dialog}
      className="cp-wide-editor"
      aria-labelledby="cp-wide-editor-title"
      onClose={onClose}
      data-testid="wide-editor"
    >
      <header className="cp-wide-editor-head">
        <h2 id="cp-wide-editor-title" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="cp-btn" onClick={onClose} data-testid="wide-editor-close">
          Done
        </button>
      </header>
      <div className="cp-wide-editor-body">
        <div className="cp-wide-editor-main">{children}</div>
        <SyntaxHelp type={type} />
      </div>
    </dialog>
  )
}

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '@xyflow/react/dist/style.css'
import './styles.css'
import { App } from './app.tsx'
import { EmbedApp } from './features/embed/embed-app.tsx'
import { EMBED_PATH } from './features/embed/launch.ts'

// The embeddable agent view is its own page (its own frame policy on the server), same bundle.
createRoot(document.getElementById('root')!).render(
  <StrictMode>{window.location.pathname === EMBED_PATH ? <EmbedApp /> : <App />}</StrictMode>,
)

import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The runtime serves dist/ at `/`; in dev, API calls are proxied to a runtime on :8080.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', chunkSizeWarningLimit: 8000, sourcemap: false },
  worker: { format: 'es' },
  server: { proxy: { '/trpc': 'http://localhost:8080', '/api': 'http://localhost:8080' } },
})

import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { carepathPlugins } from './vite-plugin-carepath.ts'

// The runtime serves dist/ at `/`; in dev, API calls are proxied to a runtime on :8080.
export default defineConfig({
  // carepathPlugins: the palette installs the packages the installation's config lists.
  plugins: [react(), carepathPlugins()],
  base: '/',
  build: { outDir: 'dist', chunkSizeWarningLimit: 8000, sourcemap: false },
  worker: { format: 'es' },
  server: { proxy: { '/trpc': 'http://localhost:8080', '/api': 'http://localhost:8080' } },
})

import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { carepathPlugins } from './vite-plugin-carepath.ts'

const runtimeDir = fileURLToPath(new URL('../runtime/', import.meta.url))

/** The designer imports the runtime's router type only; the build fails if runtime code ever reaches the bundle. */
const noRuntimeCode: Plugin = {
  name: 'carepath-no-runtime-code',
  load(id) {
    if (id.startsWith(runtimeDir)) this.error(`Runtime code must not be bundled into the designer: ${id}`)
  },
}

// The runtime serves dist/ at `/`; in dev, API calls are proxied to a runtime on :8080.
export default defineConfig({
  // carepathPlugins: the palette installs the packages the installation's config lists.
  plugins: [react(), carepathPlugins(), noRuntimeCode],
  base: '/',
  build: { outDir: 'dist', chunkSizeWarningLimit: 8000, sourcemap: false },
  // The validation worker reads the same registry, so it needs the same virtual plugin list.
  worker: { format: 'es', plugins: () => [carepathPlugins(), noRuntimeCode] },
  server: {
    proxy: { '/trpc': 'http://localhost:8080', '/api': 'http://localhost:8080', '/auth': 'http://localhost:8080' },
  },
})

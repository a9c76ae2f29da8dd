import { defineConfig } from 'drizzle-kit'

// `pnpm --filter @carepath/runtime db:generate` writes the SQL migrations committed under drizzle/.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './drizzle',
})

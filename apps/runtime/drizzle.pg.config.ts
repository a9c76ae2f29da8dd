import { defineConfig } from 'drizzle-kit'

// `pnpm --filter @carepath/runtime db:generate:pg` writes the PostgreSQL migrations committed under
// drizzle-pg/ (the same schema as drizzle/, held in step by src/db/schema-parity.test.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.pg.ts',
  out: './drizzle-pg',
})

// Regenerates packages/dsl/flow.schema.json from the zod schema:
//   pnpm exec tsx packages/dsl/scripts/write-flow-schema.ts
// A test fails when the committed file is out of date.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { flowJsonSchemaText } from '../src/json-schema.ts'

writeFileSync(join(import.meta.dirname, '..', 'flow.schema.json'), flowJsonSchemaText())

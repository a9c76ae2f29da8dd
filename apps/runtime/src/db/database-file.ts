// Where an installation's SQLite database is, apart from open-db.ts (which loads drizzle to open it).
import { join } from 'node:path'

/** The database file inside a data directory. */
export function databaseFile(dataDir: string): string {
  return join(dataDir, 'carepath.db')
}

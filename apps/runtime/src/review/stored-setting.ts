// Writing one row of the settings table through the store, inserted or replaced. Hand-written:
// drizzle's SQLite builder names the conflict target with its table ("settings"."key"), which
// PostgreSQL does not accept; `excluded` and an unqualified target are read by both.
import type { JsonValue } from '@carepath/dsl'
import type { SqlStore } from '../store/store.ts'

export async function writeSetting(store: SqlStore, key: string, value: JsonValue): Promise<void> {
  await store.sql.run(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, JSON.stringify(value)],
  )
}

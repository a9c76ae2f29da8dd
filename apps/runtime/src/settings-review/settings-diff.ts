// What a settings revision changes, as a reviewer reads it. Credentials never appear: a changed
// credential reads "credential changed" with no value on either side, so the diff can be shown,
// stored and audited without unsealing anything. Pure: the same two objects give the same diff.
import { jsonValueSchema, type JsonValue } from '@carepath/dsl'
import { z } from 'zod'
import { isSecret } from '../integrations/settings-secrets.ts'

/** One changed setting: its dotted path, what happened, and (never for a credential) the values. */
export const settingsChangeSchema = z.object({
  path: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  /** A credential: the values are left out, only the fact that it changed is kept. */
  credential: z.boolean(),
  before: jsonValueSchema.optional(),
  after: jsonValueSchema.optional(),
})
export type SettingsChange = z.infer<typeof settingsChangeSchema>
export const settingsDiffSchema = z.array(settingsChangeSchema)

type JsonObject = { [key: string]: JsonValue }
const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
// Lists of objects (event routes, ...) are compared item by item; lists of plain values
// (allow-lists, CA certificates) are one setting each, shown whole.
const isObjectList = (v: JsonValue | undefined): v is JsonValue[] => Array.isArray(v) && v.some(isObject)
// Whether anything under a subtree is a credential (a whole connector added or removed).
const holdsSecret = (value: JsonValue, path: string[]): boolean =>
  isSecret(path) ||
  (isObject(value) && Object.entries(value).some(([k, v]) => holdsSecret(v, [...path, k]))) ||
  (Array.isArray(value) && value.some((v, i) => holdsSecret(v, [...path, String(i)])))

function change(path: string[], before: JsonValue | undefined, after: JsonValue | undefined): SettingsChange {
  const kind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'
  const secret =
    (before !== undefined && holdsSecret(before, path)) || (after !== undefined && holdsSecret(after, path))
  if (secret) return { path: path.join('.'), change: kind, credential: true }
  return {
    path: path.join('.'),
    change: kind,
    credential: false,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  }
}

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string[], out: SettingsChange[]) {
  if (JSON.stringify(before) === JSON.stringify(after)) return
  const both = (isObject(before) && isObject(after)) || (isObjectList(before) && isObjectList(after))
  if (!both || before === undefined || after === undefined) {
    out.push(change(path, before, after))
    return
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  for (const key of [...keys].sort()) walk(at(before, key), at(after, key), [...path, key], out)
}

const at = (value: JsonValue, key: string): JsonValue | undefined =>
  Array.isArray(value) ? value[Number(key)] : isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined

/** The changes from `before` to `after`, sorted by path; credentials masked. */
export function diffSettings(before: JsonObject, after: JsonObject): SettingsChange[] {
  const out: SettingsChange[] = []
  walk(before, after, [], out)
  return out
}

/** One change as a sentence a reviewer reads ("fhir.baseUrl: credential changed"). */
export function describeChange(c: SettingsChange): string {
  if (c.credential) return `${c.path}: credential ${c.change}`
  const show = (v: JsonValue | undefined) => JSON.stringify(v)
  if (c.change === 'added') return `${c.path}: added ${show(c.after)}`
  if (c.change === 'removed') return `${c.path}: removed (was ${show(c.before)})`
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`
}

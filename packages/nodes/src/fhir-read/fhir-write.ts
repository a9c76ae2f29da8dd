// What the FHIR write nodes (update, patch, transaction, conditional create) share: the version a
// flow read (for If-Match), the version the server gave back, and which answers are conflicts.
import { NodeError, type ExecuteContext, type JsonValue } from '@carepath/dsl'

/** A FHIR versionId (the `meta.versionId` of a resource; the server's ETag without `W/"…"`). */
const VERSION_ID = /^[A-Za-z0-9\-.]{1,64}$/

/**
 * The version held at `path`, as the server's ETag (`W/"3"`) or a bare versionId (`3`). A fact
 * with no version stops the node: writing without the check would overwrite someone's change.
 */
export function versionAt(ctx: ExecuteContext, path: string): string {
  const value = ctx.get(path)
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : ''
  const bare = /^(?:W\/)?"([^"]*)"$/.exec(text)?.[1] ?? text
  if (!VERSION_ID.test(bare)) {
    throw new NodeError(`The fact ${path} holds no resource version to check against.`, { code: 'missing-input' })
  }
  return bare
}

/** The server's version of a resource it answered with, when it says. */
export function versionIdOf(resource: { [key: string]: unknown } | undefined): string | undefined {
  const meta = resource?.['meta']
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined
  const versionId: unknown = Reflect.get(meta, 'versionId')
  return typeof versionId === 'string' ? versionId : undefined
}

/**
 * 412: the version the flow read is no longer the current one (or a conditional write matched
 * more than one resource); 409: the server refused for the resource's state. Both are a
 * `conflict`: re-read and decide again, never a blind retry.
 */
export function isConflict(status: number): boolean {
  return status === 409 || status === 412
}

/** `set` entries for the id and version a write produced, where the config asks for them. */
export function writtenIds(
  resource: { [key: string]: unknown } | undefined,
  into: { idInto?: string | undefined; versionInto?: string | undefined },
): Record<string, JsonValue> {
  const set: Record<string, JsonValue> = {}
  const id = resource?.['id']
  if (into.idInto && typeof id === 'string') set[into.idInto] = id
  const version = versionIdOf(resource)
  if (into.versionInto && version !== undefined) set[into.versionInto] = version
  return set
}

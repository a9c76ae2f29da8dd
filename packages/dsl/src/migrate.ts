import { flowDocumentSchema, type FlowDocument } from './flow.schema.ts'
import type { Problem } from './problems.ts'
import type { AnyNodeType } from './node-type.ts'
import type { NodeRegistry } from './registry.ts'
import { zodIssuesToProblems } from './zod-problems.ts'

/**
 * One step of the document format sequence (the `dsl` field), tldraw style: append-only,
 * numbered, named. Step `to: n` turns a `carepath.flow/(n-1)` document into `carepath.flow/n`.
 * `up` receives a private copy and may change it; the caller's document is never touched.
 */
export interface FormatMigration {
  to: number
  name: string
  up(document: Record<string, unknown>): Record<string, unknown>
}

/**
 * The production format sequence. Format 1 is the first published format, so there is no
 * step yet; the next format change appends `{ to: 2, name, up }` here and a golden fixture
 * under fixtures/carepath.flow/1 keeps proving that old documents still load.
 */
export const FLOW_FORMAT_MIGRATIONS: readonly FormatMigration[] = []

/** `carepath.flow/3` → 3; anything else → undefined. */
export function parseFormat(dsl: unknown): number | undefined {
  if (typeof dsl !== 'string') return undefined
  const match = /^carepath\.flow\/([1-9][0-9]*)$/.exec(dsl)
  return match ? Number(match[1]) : undefined
}

/** The `dsl` value of a format version. */
export function formatName(version: number): string {
  return `carepath.flow/${version}`
}

/** What migrating produced: the document, or the problems that stopped it. */
export type MigrateResult = { ok: true; document: FlowDocument; applied: string[] } | { ok: false; problems: Problem[] }

/** Raw result of the upgrade steps, before the document is checked against the schema. */
export interface UpgradeResult {
  /** The upgraded copy (undefined when the format could not be upgraded at all). */
  document?: Record<string, unknown> | undefined
  applied: string[]
  problems: Problem[]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function problem(code: Problem['code'], path: string, message: string, nodeId?: string): Problem {
  return nodeId === undefined
    ? { code, severity: 'error', path, message }
    : { code, severity: 'error', nodeId, path, message }
}

/**
 * Upgrade the format of a raw document, step by step, on a copy. Refuses a newer format with
 * a clear sentence. `migrations` defaults to the production sequence (tests pass their own).
 */
export function upgradeFormat(
  raw: unknown,
  migrations: readonly FormatMigration[] = FLOW_FORMAT_MIGRATIONS,
): UpgradeResult {
  if (!isRecord(raw)) {
    return {
      applied: [],
      problems: [problem('invalid-document', '', 'The document is not a JSON object, so it cannot be a flow.')],
    }
  }
  const current = 1 + migrations.length
  const from = parseFormat(raw['dsl'])
  if (from === undefined) {
    const message =
      raw['dsl'] === undefined
        ? `The document has no "dsl" field; a flow starts with "dsl": "${formatName(current)}".`
        : `The "dsl" field must name a Carepath flow format such as "${formatName(current)}".`
    return { applied: [], problems: [problem('invalid-document', 'dsl', message)] }
  }
  if (from > current) {
    return {
      applied: [],
      problems: [
        problem(
          'unsupported-format',
          'dsl',
          `This flow was written in format ${formatName(from)}, newer than the ${formatName(current)} this Carepath reads; upgrade Carepath to open it.`,
        ),
      ],
    }
  }
  let document = structuredClone(raw)
  const applied: string[] = []
  for (const step of migrations.slice(from - 1)) {
    try {
      document = step.up(structuredClone(document))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return {
        applied,
        problems: [
          problem(
            'invalid-document',
            '',
            `The document could not be upgraded to ${formatName(step.to)} (${step.name}): ${reason}`,
          ),
        ],
      }
    }
    document['dsl'] = formatName(step.to)
    applied.push(`format ${step.to}: ${step.name}`)
  }
  return { document, applied, problems: [] }
}

/** What upgrading one node config produced: the config at `version`, or why a step failed there. */
export type ConfigUpgrade =
  | { ok: true; config: Record<string, unknown>; version: number; applied: string[] }
  | { ok: false; version: number; reason: string }

/**
 * The one typeVersion upgrade loop: run `config` through every migration of `nodeType` above
 * `from`, each step on its own copy (the caller's config is never touched). Validation and the
 * engine both upgrade through here. `applied` names each step (`decision.rules 2: rename limit`).
 */
export function upgradeNodeConfig(
  nodeType: Pick<AnyNodeType, 'type' | 'migrations'>,
  from: number,
  config: Record<string, unknown>,
): ConfigUpgrade {
  let current = config
  let version = from
  const applied: string[] = []
  for (const step of nodeType.migrations ?? []) {
    if (step.to <= from) continue
    try {
      current = step.up(structuredClone(current))
    } catch (error) {
      return { ok: false, version, reason: error instanceof Error ? error.message : String(error) }
    }
    version = step.to
    applied.push(`${nodeType.type} ${step.to}: ${step.name}`)
  }
  return { ok: true, config: current === config ? structuredClone(config) : current, version, applied }
}

/**
 * Upgrade each node's config from its typeVersion to the registry's, on a copy. Nodes of
 * unknown types and newer typeVersions are left alone: validation reports them.
 */
export function upgradeNodeConfigs(document: Record<string, unknown>, registry: NodeRegistry): UpgradeResult {
  const nodes = document['nodes']
  if (!isRecord(nodes)) return { document, applied: [], problems: [] }
  const out = structuredClone(document)
  const outNodes = out['nodes'] as Record<string, unknown>
  const applied: string[] = []
  const problems: Problem[] = []
  for (const [nodeId, node] of Object.entries(nodes)) {
    if (!isRecord(node) || typeof node['type'] !== 'string' || !Number.isInteger(node['typeVersion'])) continue
    const nodeType = registry.get(node['type'])
    const from = node['typeVersion'] as number
    if (!nodeType || from >= nodeType.typeVersion || from < 1 || !isRecord(node['config'])) continue
    const upgrade = upgradeNodeConfig(nodeType, from, node['config'])
    if (!upgrade.ok) {
      problems.push(
        problem(
          'invalid-config',
          `nodes.${nodeId}.config`,
          `The config of "${nodeId}" could not be upgraded from ${nodeType.type} version ${upgrade.version}: ${upgrade.reason}`,
          nodeId,
        ),
      )
      continue
    }
    applied.push(...upgrade.applied.map((step) => `node ${nodeId}: ${step}`))
    outNodes[nodeId] = { ...node, typeVersion: upgrade.version, config: upgrade.config }
  }
  return { document: out, applied, problems }
}

/**
 * Upgrade a raw document to the current format and every node config to the registry's
 * typeVersion, then check its shape. Never mutates `raw`. A newer format is refused with an
 * `unsupported-format` problem.
 */
export function migrateFlow(raw: unknown, registry: NodeRegistry): MigrateResult {
  const format = upgradeFormat(raw)
  if (!format.document) return { ok: false, problems: format.problems }
  const nodes = upgradeNodeConfigs(format.document, registry)
  if (nodes.problems.length > 0) return { ok: false, problems: nodes.problems }
  const parsed = flowDocumentSchema.safeParse(nodes.document)
  if (!parsed.success) return { ok: false, problems: zodIssuesToProblems(parsed.error.issues) }
  return { ok: true, document: parsed.data, applied: [...format.applied, ...nodes.applied] }
}

// Connector settings as people change them: which keys this installation accepts (those its
// installed connectors use), the four-eyes review of a change, and the bootstrap path that
// applies settings at once. Wired last, once every service that reads the settings exists.
import type { Catalog } from '@carepath/catalog'
import { declaredConnectors, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import { hl7OutConnector } from '@carepath/nodes'
import { integrationsSet } from './audit/audit-entries.ts'
import { AppError } from './errors.ts'
import { eventsSettingsSchema } from './events/event-routes.ts'
import type { Hl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import { composeSettingsSchema } from './integrations/index.ts'
import { sealJson } from './keys/sealed-json.ts'
import { writeSetting } from './review/stored-setting.ts'
import { createSettingsRevisions, type SettingsRevisionsDeps } from './settings-review/settings-revisions.service.ts'
import {
  INTEGRATIONS_AAD,
  INTEGRATIONS_KEY,
  SETTINGS_TOPIC,
  type SettingsSnapshot,
} from './settings-review/settings-snapshot.ts'

type Settings = { [key: string]: JsonValue }

/**
 * The settings review (proposals, a second person's decision, numbered revisions, pins) and the
 * `integrations` API everything that calls an outside system reads, kept in step with the
 * snapshot every process reads, the adapters built from it and hl7-out's destinations. Settings
 * stored before revisions existed are adopted as the first revision.
 */
export async function wireIntegrationSettings({
  store,
  audit,
  now,
  cipher,
  current,
  catalog,
  registry,
  settingsSnapshot,
  hl7Outbound,
  settingsFor,
  rebuildAdapters,
}: Pick<SettingsRevisionsDeps, 'store' | 'audit' | 'now' | 'cipher' | 'current'> & {
  catalog: Catalog
  registry: NodeRegistry
  settingsSnapshot: SettingsSnapshot
  hl7Outbound: Pick<Hl7Outbound, 'useRevisions'>
  /** The connector settings a published version runs with. */
  settingsFor: (flowId: string, hash: string) => Settings
  /** Builds the adapters again from `value` (the current settings). */
  rebuildAdapters: (value: Settings) => void
}) {
  // A save may hold the host's keys and one per connector an installed node type declares or an
  // installed package provides; anything else is a typo or a package that is not installed.
  const strictSettings = composeSettingsSchema(
    [...catalog.connectors, ...declaredConnectors(registry.list())],
    'strict',
  )
  const settingsKeys = Object.keys(strictSettings.shape).sort()

  /** Refuses a key no installed connector uses, rather than storing what nothing would read. */
  function checkSettings(value: Settings) {
    const unknown = Object.keys(value).find((key) => !settingsKeys.includes(key))
    if (unknown !== undefined) {
      throw new AppError(
        'bad-input',
        `"${unknown}" is not a setting of this installation: no installed package has a connector that uses it (settings: ${settingsKeys.join(', ')}).`,
        { path: unknown },
      )
    }
    // Event routes are read at every inbound message: one that cannot be read is refused here, with where.
    const routes = eventsSettingsSchema.safeParse(value['events'])
    if (value['events'] !== undefined && !routes.success) {
      const issue = routes.error.issues[0]
      const where = ['events', ...(issue?.path ?? [])].join('.')
      throw new AppError('bad-input', `${where}: ${issue?.message ?? 'not a list of event routes'}`, { path: where })
    }
  }
  // Another process changed them: this one builds its adapters again too.
  settingsSnapshot.onChange(() => rebuildAdapters(settingsSnapshot.current()))

  /** Connector settings under review: proposals, a second person's decision, numbered revisions, pins. */
  const settingsReview = createSettingsRevisions({
    store,
    audit,
    now,
    cipher,
    current,
    // A reviewed change must also be settings each connector can read: a reviewer approves what will work.
    check: (value) => {
      checkSettings(value)
      const parsed = strictSettings.safeParse(value)
      if (parsed.success) return
      const issue = parsed.error.issues[0]
      const where = issue?.path.map(String).join('.') || 'settings'
      throw new AppError('bad-input', `${where}: ${issue?.message ?? 'not a valid setting'}`, {
        path: `settings.${where}`,
      })
    },
    write: async (value) =>
      writeSetting(store, INTEGRATIONS_KEY, await sealJson(cipher, 'settings', INTEGRATIONS_AAD, value)),
    applied: rebuildAdapters,
    // Every process reads them again; this one before the change is answered.
    changed: async () => {
      await store.changes.publish(SETTINGS_TOPIC)
      await settingsSnapshot.reload()
    },
  })
  await settingsReview.adoptExisting()
  // hl7-out (integrations/) reads its destinations per revision from the snapshot.
  hl7Outbound.useRevisions({
    current: () => settingsSnapshot.currentNumber(),
    destinations: (revision) => {
      const stored = settingsSnapshot.revisionValue(revision)[hl7OutConnector.settingsKey ?? hl7OutConnector.name]
      const parsed = hl7OutConnector.settingsSchema.safeParse(stored)
      return parsed.success ? (parsed.data?.destinations ?? {}) : {}
    },
  })

  /** Connector settings: read by everything that calls an outside system. */
  const integrations = {
    get: current,
    forVersion: settingsFor,
    /**
     * Installation bootstrap, outside review: applies at once as the next revision (first-time
     * set-up, the demo seed, the CLI, tests). People change settings through `settingsReview`;
     * the API takes this path only while no revision exists (see settings.router.ts).
     */
    async set(value: { [key: string]: JsonValue }, actor: { who: string; role: string }) {
      checkSettings(value)
      await settingsReview.bootstrap(value, actor, integrationsSet(actor, Object.keys(value)))
    },
  }

  return { settingsReview, integrations }
}

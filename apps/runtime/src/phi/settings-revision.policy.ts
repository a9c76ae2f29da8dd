// A settings revision as a reviewer reads it. It holds no patient data; what it must never hold
// is a credential. The diff left credentials' values out when it was made (settings-diff.ts);
// this policy drops them again for any change marked as a credential, so a value that slipped
// into a stored diff still does not leave (fail closed).
import type { SettingsChange } from '../settings-review/settings-diff.ts'
import type { SettingsRevisionView } from '../settings-review/settings-revision.schema.ts'
import { authored, each, object, structure, type Redactor } from './redaction-policy.ts'

/** A setting's value (an endpoint, an allow-list): configuration written by an admin. */
const settingValue = authored

const settingsChange: Redactor<SettingsChange> = (change, ctx) => {
  const declared = object<SettingsChange>({
    path: structure,
    change: structure,
    credential: structure,
    before: settingValue,
    after: settingValue,
  })(change, ctx)
  if (!change.credential) return declared
  return { path: declared.path, change: declared.change, credential: true }
}

/** The settings revision view: every field declared. */
export const settingsRevisionPolicy = object<SettingsRevisionView>({
  id: structure,
  number: structure,
  status: structure,
  kind: structure,
  pin: object<{ flowId: string; hash: string }>({ flowId: structure, hash: structure }),
  baseNumber: structure,
  changes: each(settingsChange),
  applyToRunning: structure,
  // An admin's words about the change: author text, never a patient's.
  reason: authored,
  proposedBy: structure,
  proposedAt: structure,
  decidedBy: structure,
  decidedAt: structure,
  decisionNote: authored,
})

// One function per audited action: each builds the record's input with its typed `why`, so a
// caller names what happened and the shape of the record is decided here, once.
// The functions sit in one file per kind of entry; callers import every one of them from this
// module, so moving an entry between kinds never touches a caller.
export type { AuditActor, AuditInput } from './audit-input.ts'
export {
  flowRolesSet,
  hostAppSaved,
  launchExchanged,
  launchIssued,
  loggedIn,
  loggedOut,
  loginRefused,
  mfaChecked,
  mfaEnrolled,
  mfaPolicySet,
  mfaRemoved,
  passwordAccepted,
  recoveryCodesIssued,
  ssoSynced,
  tokenCreated,
  tokenRevoked,
  userAdded,
  userSet,
} from './access-entries.ts'
export {
  auditSearched,
  inboundRetentionPurged,
  inboundRetentionSet,
  keysRotated,
  phiMapReviewed,
  retentionPurged,
  retentionSet,
  revealGranted,
  revealReviewed,
} from './data-protection-entries.ts'
export {
  approvalPolicyChanged,
  attachmentAdded,
  attachmentRead,
  failingCasesOverridden,
  flowCreated,
  flowRetired,
  flowSaved,
  flowSubscribed,
  migrationDecided,
  noticeSent,
  publishRefused,
  reviewDecided,
  reviewRefused,
  reviewSubmitted,
  versionPublished,
} from './flow-entries.ts'
export {
  integrationsSet,
  operationsSet,
  queueSaved,
  settingsApplied,
  settingsDecided,
  settingsProposed,
} from './settings-entries.ts'
export {
  deadLetterReprocessed,
  eventDelivered,
  incidentResolved,
  migrationApplied,
  runRead,
  runStepped,
  scheduleTicked,
  taskAnswered,
  taskClaimed,
  taskEscalated,
  taskReassigned,
  taskReleased,
  tasksRead,
} from './run-entries.ts'

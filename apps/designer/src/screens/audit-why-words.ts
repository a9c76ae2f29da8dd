// An audit record's "why" in plain sentences, one list per action: who approved and as which
// sign-off, the reviewer's words, the simulation's counts, what a change touches, why publishing
// was refused. Pure, so each action's words are tested; the drawer keeps the stored JSON behind a
// disclosure. Run decisions are read by the explanation view, not here.
import { listWords } from '@carepath/dsl'
import type { AuditItem } from '../api/carepath-api.ts'

type AuditRecord = AuditItem['record']

/** `1 case`, `3 cases`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** `a`, `a and b`, `a, b and c` (the DSL's own list words). */
export const list = listWords

/** A sentence ends with one full stop, whatever the text it wraps ends with. */
const stop = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)
const quoted = (items: readonly string[]) => list(items.map((i) => `“${i}”`))
const short = (hash: string | null | undefined) => (hash ? hash.slice(0, 12) : '')

/** What a change touches, as part of a sentence (the approval policy's kinds). */
const FOOTPRINT_WORDS: Record<string, string> = {
  'phi-sent-outside': 'patient data newly sent outside',
  'phi-read': 'patient data newly read',
  'phi-written': 'patient data newly written',
  'outside-connector': 'a new outside system or endpoint',
  'patient-facing': 'a new channel to patients',
  threshold: 'decision thresholds',
  behaviour: 'other behaviour',
  text: 'text only',
}

/** Whose sign-off, as part of a sentence ("the sign-off of the security owner"). */
const SIGN_OFF_WORDS: Record<string, string> = {
  reviewer: 'a reviewer',
  compliance: 'compliance',
  security: 'the security owner',
  process: 'the process owner',
  integration: 'the integration owner',
  support: 'the support owner',
}
const signOffWords = (kind: string) => SIGN_OFF_WORDS[kind] ?? kind

type RunWhy = Extract<AuditRecord, { action: 'run.start' }>['why']

function runSentences(why: RunWhy): string[] {
  const out = [`The run is ${why.status}${why.outcome ? ` with outcome “${why.outcome}”` : ''}.`]
  out.push(
    `This step wrote ${count(why.events, 'event')} and took ${why.decisions.length === 0 ? 'no decision' : count(why.decisions.length, 'decision')}.`,
  )
  if (why.error) out.push(`It failed: ${why.error}`)
  return out
}

/**
 * The record's "why" as sentences; empty when the action records none. An action this designer
 * does not know yet (a newer runtime) gets one sentence saying so, and the JSON shows openly.
 */
export function whySentences(record: AuditRecord): string[] {
  switch (record.action) {
    case 'flow.create':
      return ['The flow was created with its first draft.']
    case 'flow.save':
      return [
        `Draft revision ${record.why.revision} was saved.`,
        ...(record.why.voidedReview ? ['It changed a version under review, so that review was voided.'] : []),
      ]
    case 'flow.retire':
      return ['The flow was retired: no new run starts on it.']
    case 'review.submit': {
      const { summary, footprint, signOffs } = record.why
      const out = ['The draft was submitted for review.']
      if (summary)
        out.push(
          `The simulation ran ${count(summary.cases, 'case')}: ${summary.unchanged} unchanged, ${summary.changed} changed, ${summary.failed} failed, ${count(summary.unexpected, 'failed expectation')}.`,
        )
      else out.push('No simulation report was stored.')
      if (footprint?.length) out.push(`The change touches ${list(footprint.map((k) => FOOTPRINT_WORDS[k] ?? k))}.`)
      if (signOffs?.length) out.push(`It needs the sign-off of ${list(signOffs.map(signOffWords))}.`)
      return out
    }
    case 'review.approve':
    case 'review.reject': {
      const verb = record.action === 'review.approve' ? 'approve' : 'reject'
      if ('reason' in record.why)
        return [stop(`The ${verb === 'approve' ? 'approval' : 'rejection'} was refused: ${record.why.reason}`)]
      const out = [
        verb === 'approve'
          ? `Approved${'signOff' in record.why && record.why.signOff ? ` as the sign-off of ${signOffWords(record.why.signOff)}` : ''}.`
          : 'Rejected: the flow goes back to draft.',
      ]
      if (record.why.comment) out.push(`Comment: “${record.why.comment}”`)
      return out
    }
    case 'review.override':
      return [
        `May be published although ${record.why.cases.length === 1 ? 'a test case fails its expectation' : `${record.why.cases.length} test cases fail their expectations`} (${quoted(record.why.cases)}).`,
        `The reviewer’s reason: “${record.why.reason}”`,
      ]
    case 'review.publish':
    case 'review.rollback': {
      const what = record.action === 'review.publish' ? 'Publishing' : 'Rolling back'
      if ('blockers' in record.why) return [`${what} was refused:`, ...record.why.blockers]
      return [
        record.action === 'review.publish'
          ? `Version ${short(record.entity.hash)} was published${record.why.previous ? `, replacing ${short(record.why.previous)}` : ' as the flow’s first version'}.`
          : `The flow was rolled back to version ${short(record.entity.hash)}${record.why.previous ? ` from ${short(record.why.previous)}` : ''}.`,
        stop(`Reason: ${record.why.reason}`),
      ]
    }
    case 'approval-policy.propose':
    case 'approval-policy.approve':
    case 'approval-policy.discard': {
      const verb = {
        'approval-policy.propose': 'proposed',
        'approval-policy.approve': 'approved',
        'approval-policy.discard': 'discarded',
      }[record.action]
      return [`An approval policy proposed by ${record.why.proposedBy} was ${verb}.`, ...record.why.summary]
    }
    case 'run.start':
    case 'run.step':
      return runSentences(record.why)
    case 'user.add':
      return [`The user was added with the role ${record.why.role}.`]
    case 'user.flow-roles':
      return [
        record.why.flowRoles.length
          ? `The user now works the queues ${quoted(record.why.flowRoles)}.`
          : 'The user now works no queue.',
      ]
    case 'user.set':
      return [
        `The user's product role is now ${record.why.role}.`,
        record.why.active
          ? 'The user may log in.'
          : 'The user can no longer log in: their sessions and API tokens stopped working.',
      ]
    case 'auth.login':
      return record.why ? [stop(`The log-in was refused: ${record.why.reason}`)] : ['Logged in.']
    case 'auth.logout':
      return ['Logged out.']
    case 'auth.password':
      return [
        record.why.next === 'verify'
          ? 'The password was right; a second factor is still to be given.'
          : 'The password was right; a second factor is to be set up first.',
      ]
    case 'auth.mfa':
      return [
        record.why.reason
          ? stop(`The second factor (${record.why.method}) was refused: ${record.why.reason}`)
          : `The second factor (${record.why.method}) was accepted.`,
      ]
    case 'task.reassign':
      return [`The task was given to ${record.why.to}.`]
    case 'task.escalate':
      return [
        `The task moved from the queue “${record.why.from}” to “${record.why.to}”.`,
        `Reason: ${record.why.reason}`,
      ]
    case 'incident.resolve':
      return [
        `The incident was resolved by ${record.why.action === 'retry' ? 'retrying the step' : record.why.action === 'skip' ? `skipping the step${record.why.port ? ` to “${record.why.port}”` : ''}` : 'cancelling the run'}.`,
        ...(record.why.reason ? [`Reason: ${record.why.reason}`] : []),
      ]
    case 'phi.reveal':
      return [
        `Patient data of the classes ${list(record.why.classes)} was revealed for ${count(record.why.minutes, 'minute')}.`,
        `Reason: ${record.why.reason}`,
      ]
    case 'queue.save':
      return [`The queue “${record.why.queue}” was saved: ${record.why.description || 'no description'}.`]
    case 'notice.send':
      return [
        `A change notice (${record.why.kind}) went to ${record.why.recipients.length ? list(record.why.recipients) : 'nobody'}.`,
        ...(record.why.failed.length ? [`It could not reach ${list(record.why.failed)}.`] : []),
      ]
    case 'audit.search':
      return [
        `The trail was searched${record.why.filters.length ? ` by ${list(record.why.filters)}` : ''}${record.why.exported ? ' and exported' : ''}: ${count(record.why.results, 'record')} found.`,
      ]
    default:
      return 'why' in record ? fallbackSentences(record.why) : []
  }
}

/** Any other action: its fields one per line, in words where they are words ("Reason: …"). */
function fallbackSentences(why: unknown): string[] {
  if (why === null || typeof why !== 'object') return []
  return Object.entries(why).flatMap(([key, value]) => {
    const label = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
    const words = `${label.charAt(0).toUpperCase()}${label.slice(1)}`
    if (typeof value === 'string' || typeof value === 'number') return [`${words}: ${value}`]
    if (typeof value === 'boolean') return [`${words}: ${value ? 'yes' : 'no'}`]
    if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      return [`${words}: ${value.length ? list(value) : 'none'}`]
    return []
  })
}

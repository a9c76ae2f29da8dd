// Type-level test: redaction must be declared for every field of a response and every run event
// type. The `@ts-expect-error` lines below are checked by `pnpm typecheck` (tsc), not by vitest:
// if a policy accepted an undeclared field, the directive would be unused and tsc would fail.
// The runtime assertions only show that the declared policies are the ones checked here.
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import type { RunEvent } from '@carepath/engine'
import type { RunView } from '../runs/run-view.ts'
import type { AuditEntry } from '../audit/audit-why.ts'
import { auditEntryPolicies, type AuditEntryPolicies } from './audit-record.policy.ts'
import { facts, object, structure, type RedactionPolicy, type Redactor } from './redaction-policy.ts'
import { eventPolicies, type EventPolicies } from './run-events.policy.ts'
import { runViewPolicy } from './run-view.policy.ts'

/** The run view with one more field, as a developer might add it to run-view.ts. */
type RunViewWithNotes = RunView & { notes: string }

/** A new event type, as the engine might add it to its union. */
type EventWithNote = RunEvent | { seq: number; at: string; type: 'note.added'; data: { text: string } }
type PoliciesWithNote = { [T in EventWithNote['type']]: Redactor<Extract<EventWithNote, { type: T }>> }

/** A new audited action. */
type EntryWithNote = AuditEntry | { action: 'note.add'; why: { text: string } }
type AuditPoliciesWithNote = { [A in EntryWithNote['action']]: Redactor<Extract<EntryWithNote, { action: A }>> }

describe('redaction declared by type', () => {
  it('refuses a response field whose redaction is not declared', () => {
    const declared: Redactor<RunView> = runViewPolicy
    // @ts-expect-error `notes` has no declared part: the run view's policy no longer compiles.
    const undeclared: Redactor<RunViewWithNotes> = runViewPolicy
    // Once its part is declared, a policy with the field compiles.
    const policy: RedactionPolicy<{ notes: string }> = { notes: structure }
    expect(typeof object(policy)).toBe('function')
    expect([declared, undeclared].every((p) => typeof p === 'function')).toBe(true)
  })

  it('refuses a new event type until its redaction is declared', () => {
    const declared: EventPolicies = eventPolicies
    // @ts-expect-error `note.added` has no policy: the event policies no longer compile.
    const undeclared: PoliciesWithNote = eventPolicies
    expect(Object.keys(declared)).toHaveLength(Object.keys(undeclared).length)
  })

  it('refuses a new audited action until its why is declared', () => {
    const declared: AuditEntryPolicies = auditEntryPolicies
    // @ts-expect-error `note.add` has no policy: the audit policies no longer compile.
    const undeclared: AuditPoliciesWithNote = auditEntryPolicies
    expect(Object.keys(declared)).toHaveLength(Object.keys(undeclared).length)
  })

  it('lets only scalars be declared structure; facts need their own part', () => {
    // @ts-expect-error an object cannot be declared structure: its fields must be declared.
    const objectAsStructure: RedactionPolicy<{ patient: { name: string } }> = { patient: structure }
    const factsDeclared: RedactionPolicy<{ facts: Record<string, JsonValue> }> = { facts }
    expect(objectAsStructure).toBeDefined()
    expect(factsDeclared).toBeDefined()
  })
})

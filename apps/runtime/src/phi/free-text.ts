// Free text that may quote a patient value: a node's or connector's failure message, a
// simulation problem, a refused input or answer. It is never let out as it is: every patient
// value its context holds is replaced, so a message keeps its words and loses the data.
import { REDACTED, type JsonValue } from '@carepath/dsl'
import type { RunEvent } from '@carepath/engine'

// Shorter strings (a sex code, "no") are too common in plain words to replace safely, and
// carry too little to identify anyone. Numbers count from four digits (an account number, an
// amount); smaller ones are ages, scores and counts that plain sentences use too.
const MIN_LENGTH = 3
const MIN_NUMBER = 1000

/** Every string inside `values` that is long enough to be a patient value, longest first. */
export function patientValuesIn(...values: readonly unknown[]): string[] {
  const found = new Set<string>()
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.length >= MIN_LENGTH) found.add(v)
    } else if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) >= MIN_NUMBER) found.add(String(v))
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
  }
  values.forEach(walk)
  // Longest first, so a value containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length)
}

/** The parts of one event that hold patient data (what a failure message could quote). */
function patientDataOf(event: RunEvent): JsonValue[] {
  switch (event.type) {
    case 'run.started':
    case 'subflow.started':
      return [event.data.input]
    case 'facts.set':
      return [event.data.set]
    case 'connector.request':
      return [event.data.request]
    case 'connector.response':
      return 'response' in event.data ? [event.data.response] : []
    case 'task.answered':
      return [event.data.answer]
    case 'event.awaited':
      return [event.data.key]
    case 'event.received':
      return [event.data.key, event.data.payload]
    case 'subflow.ended':
      return 'facts' in event.data ? [event.data.facts] : []
    case 'decision':
      // Values the decision saw; a threshold is the author's, unless it was another fact's value.
      return event.data.explanation.rules.flatMap((r) =>
        r.conditions.flatMap((c) => (c.expectedFact === undefined ? [c.seen] : [c.seen, c.expected])),
      )
    case 'node.entered':
    case 'task.opened':
    case 'task.expired':
    case 'wait.started':
    case 'wait.due':
    case 'node.exited':
    case 'error':
    case 'run.ended':
    case 'connector.retry':
    case 'incident.opened':
    case 'incident.resolved':
    case 'run.migrated':
      return []
  }
}

/** Every patient value a run's log holds (input, facts written, payloads, answers, values decided on). */
export function patientValuesOfRun(events: readonly RunEvent[]): string[] {
  return patientValuesIn(events.flatMap(patientDataOf))
}

/** Free text with every patient value it quotes replaced. */
export function redactFreeText(text: string, patientValues: readonly string[]): string {
  let out = text
  for (const v of patientValues) if (out.includes(v)) out = out.split(v).join(REDACTED)
  return out
}

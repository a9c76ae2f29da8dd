import { jsonEqual } from '@carepath/dsl'
import type { EngineDeps } from './engine-deps.ts'
import type { RunEvent, RunEventOf, RunEventType } from './run-event.schema.ts'
import { RunRefusedError } from './engine-deps.ts'

/** An event while `emit` fills it in. */
interface EventUnderConstruction {
  seq: number
  at: string
  type: RunEventType
  nodeId?: string
  scope?: string
  data?: RunEvent['data']
}

/**
 * The run's log while it executes. Over the recorded prefix it replays: each event the run
 * produces must equal the recorded one (same type, node and data), and the recorded one (with
 * its original time) is kept. Past the prefix it appends live events stamped by the clock.
 */
export class EventRecorder {
  readonly events: RunEvent[]
  private cursor = 0
  /** Set when `onEvent` failed: the run stops here and nothing more is appended. */
  interrupted: { error: unknown } | undefined

  constructor(
    private readonly recorded: readonly RunEvent[],
    private readonly deps: Pick<EngineDeps, 'clock' | 'onEvent'>,
  ) {
    this.events = [...recorded]
  }

  get replaying(): boolean {
    return this.cursor < this.recorded.length
  }

  /** The seq the next event will have (events are numbered by their index in the log). */
  get nextSeq(): number {
    return this.replaying ? this.cursor : this.events.length
  }

  /** The next recorded event, when replaying. */
  peek(): RunEvent | undefined {
    return this.recorded[this.cursor]
  }

  /**
   * Append (or replay) an event; `data` is compared with the recording unless `trustRecorded`.
   * Callers await it. Only a log with an `onEvent` hook returns a promise: a simulated run (no
   * hook) takes no async frame per event, which is much of what 100k simulated cases allocate.
   */
  emit<T extends RunEventType>(
    type: T,
    nodeId: string | undefined,
    scope: string,
    data: RunEventOf<T>['data'],
    trustRecorded = false,
  ): RunEventOf<T> | Promise<RunEventOf<T>> {
    if (this.interrupted) throw this.interrupted.error
    if (this.replaying) {
      const recorded = this.recorded[this.cursor] as RunEvent
      const same =
        isOfType(recorded, type) &&
        recorded.nodeId === nodeId &&
        (recorded.scope ?? '') === scope &&
        (trustRecorded || jsonEqual(recorded.data, data))
      if (!same) {
        const error = new RunRefusedError(
          'log-mismatch',
          `The event log does not match this flow version at event ${recorded.seq} (${recorded.type}${recorded.nodeId ? ` at node "${recorded.nodeId}"` : ''}).`,
          '',
          recorded.seq,
        )
        this.interrupted = { error }
        throw error
      }
      this.cursor++
      return recorded
    }
    // Built member by member (no spreads on the hot path), in the log's key order.
    const event: EventUnderConstruction = { seq: this.events.length, at: this.deps.clock.now(), type }
    if (nodeId !== undefined) event.nodeId = nodeId
    if (scope) event.scope = scope
    event.data = data
    // TypeScript cannot pair a generic `type` with its `data` through the union; the pairing is
    // checked at every emit call (`data: RunEventOf<T>['data']`), so the built event is that member.
    const typed = event as RunEvent as RunEventOf<T>
    this.events.push(typed)
    return this.deps.onEvent ? this.persisted(typed, this.deps.onEvent) : typed
  }

  private async persisted<E extends RunEvent>(event: E, onEvent: NonNullable<EngineDeps['onEvent']>): Promise<E> {
    try {
      await onEvent(event)
    } catch (error) {
      // The append did not become durable: stop the run; the log so far can be resumed.
      this.interrupted = { error }
      throw error
    }
    return event
  }

  /** When replaying and the next recorded event has this type and node, consume and return it. */
  takeRecorded<T extends RunEventType>(type: T, nodeId: string | undefined, scope: string): RunEventOf<T> | undefined {
    const next = this.peek()
    if (!next || !isOfType(next, type) || next.nodeId !== nodeId || (next.scope ?? '') !== scope) return undefined
    this.cursor++
    return next
  }
}

function isOfType<T extends RunEventType>(event: RunEvent, type: T): event is RunEventOf<T> {
  return event.type === type
}

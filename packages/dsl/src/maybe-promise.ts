// A step of a run is synchronous unless it waits on I/O: a simulated run persists no events and
// mocks its connectors, and most nodes decide from facts in hand. Awaiting a value that is
// already there still allocates a promise and a job per `await`, which 100,000 simulated cases
// multiply into a large share of the simulator's garbage. So the run's hot path passes values
// through as they are and takes the asynchronous path only when something returned a promise
// (the style of graphql-js's `PromiseOrValue`).

/** A value now, or a promise of it when producing it had to wait. */
export type MaybePromise<T> = T | Promise<T>

/** Whether `value` is a promise (or any thenable a plugin's node may return). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    value instanceof Promise ||
    (typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function')
  )
}

/**
 * `next(value)` at once when `value` is there, else once it settles. A synchronous `next` that
 * throws throws here; once asynchronous, the returned promise rejects instead.
 */
export function andThen<T, U>(value: T | PromiseLike<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value)
}

/**
 * A value that is built asynchronously once and then read many times, such as a decision's
 * evaluator proven on first use: `current()` is the promise until it settles and the value from
 * then on, so every later read is synchronous.
 */
export class Eventually<T> {
  private settled: { value: T } | undefined
  private readonly pending: Promise<T>

  constructor(value: PromiseLike<T>) {
    this.pending = Promise.resolve(value).then((resolved) => {
      this.settled = { value: resolved }
      return resolved
    })
  }

  current(): MaybePromise<T> {
    return this.settled ? this.settled.value : this.pending
  }
}

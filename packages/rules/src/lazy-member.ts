import { Adopt } from '@carepath/dsl'

/**
 * A member computed on its first read and kept: the compiled evaluator's rule traces, which a
 * run records but a simulation or a bench loop may never read.
 *
 * The member is an own, enumerable accessor, so JSON.stringify, structuredClone, spreads and
 * equality checks all see a plain value (they read it). Every object shares one getter and
 * setter per member name: a getter of its own per object (a closure) would move each object to a
 * hidden class of its own, which V8 builds in its runtime and which held the objects into the old
 * generation (nearly half of a 100-rule evaluation's time went to garbage collection). The
 * pending computation sits in a private field of the object (PendingMembers).
 */
class Deferred {
  private value: unknown
  /** The object's other pending members (an object rarely has more than one). */
  next: Deferred | undefined

  constructor(
    readonly key: PropertyKey,
    /** Until the first read or write, then none. */
    private compute: (() => unknown) | undefined,
  ) {}

  read(): unknown {
    if (this.compute) this.write(this.compute())
    return this.value
  }

  write(value: unknown): void {
    this.value = value
    this.compute = undefined
  }
}

/** The pending members of an object: a list, newest first, in a private field (see `Adopt`). */
class PendingMembers extends Adopt {
  #newest: Deferred

  private constructor(target: object, first: Deferred) {
    super(target)
    this.#newest = first
  }

  /** The Deferred of `key` on `target`, if one is pending or was computed there. */
  static of(target: object, key: PropertyKey): Deferred | undefined {
    if (!(#newest in target)) return undefined
    for (let d: Deferred | undefined = target.#newest; d; d = d.next) if (d.key === key) return d
    return undefined
  }

  /** Hold `deferred` on `target`, in front of (and so in place of) any of the same key. */
  static hold(target: object, deferred: Deferred): void {
    if (#newest in target) {
      deferred.next = target.#newest
      target.#newest = deferred
    } else new PendingMembers(target, deferred)
  }
}

/** Per member name: the accessor every object shares. */
const accessByKey = new Map<PropertyKey, PropertyDescriptor>()

function accessorOf(key: PropertyKey): PropertyDescriptor {
  let descriptor = accessByKey.get(key)
  if (!descriptor) {
    descriptor = {
      get(this: object) {
        return PendingMembers.of(this, key)?.read()
      },
      set(this: object, value: unknown) {
        const deferred = PendingMembers.of(this, key)
        if (deferred) deferred.write(value)
        else PendingMembers.hold(this, new Deferred(key, () => value))
      },
      enumerable: true,
      configurable: true,
    }
    accessByKey.set(key, descriptor)
  }
  return descriptor
}

/**
 * Define `key` on `target` as an enumerable member computed on first read and kept, in the member
 * order of a plain object literal.
 */
export function lazyMember<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  PendingMembers.hold(target, new Deferred(key, compute))
  Object.defineProperty(target, key, accessorOf(key))
}

/** Read `key` of `source` into `target` without computing it when `source` holds it lazily. */
export function forwardMember<S extends object, T extends object>(
  target: T,
  key: string & keyof S & keyof T,
  source: S,
): void {
  const deferred = PendingMembers.of(source, key)
  const accessor = accessorOf(key)
  if (deferred && Object.getOwnPropertyDescriptor(source, key)?.get === accessor.get) {
    PendingMembers.hold(target, new Deferred(key, () => deferred.read()))
    Object.defineProperty(target, key, accessor)
  } else Reflect.set(target, key, Reflect.get(source, key))
}

/**
 * A member computed on its first read and kept: the compiled evaluator's rule traces, which a
 * run records but a simulation or a bench loop may never read.
 *
 * The member is an own, enumerable accessor, so JSON.stringify, structuredClone, spreads and
 * equality checks all see a plain value (they read it). Every object shares one getter and
 * setter per member name: a getter of its own per object (a closure) would move each object to a
 * hidden class of its own, which V8 builds in its runtime and which held the objects into the old
 * generation (nearly half of a 100-rule evaluation's time went to garbage collection). The
 * pending computation sits on the object under a non-enumerable symbol, and answers only for the
 * object it was made for.
 */
class Deferred {
  private value: unknown

  constructor(
    /** The object whose member this is. */
    readonly owner: object,
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

interface MemberAccess {
  slot: symbol
  descriptor: PropertyDescriptor
}

/** Per member name: the symbol its Deferred is held under, and the accessor every object shares. */
const accessByKey = new Map<PropertyKey, MemberAccess>()

function accessOf(key: PropertyKey): MemberAccess {
  let access = accessByKey.get(key)
  if (!access) {
    const slot = Symbol(`deferred ${String(key)}`)
    const held = (target: object): Deferred | undefined => {
      const deferred: unknown = Reflect.get(target, slot)
      return deferred instanceof Deferred && deferred.owner === target ? deferred : undefined
    }
    access = {
      slot,
      descriptor: {
        get(this: object) {
          return held(this)?.read()
        },
        set(this: object, value: unknown) {
          const deferred = held(this)
          if (deferred) deferred.write(value)
          else hold(this, slot, new Deferred(this, () => value))
        },
        enumerable: true,
        configurable: true,
      },
    }
    accessByKey.set(key, access)
  }
  return access
}

/** Keep a Deferred out of sight of spreads and copies (they take the member's value). */
function hold(target: object, slot: symbol, deferred: Deferred): void {
  Object.defineProperty(target, slot, { value: deferred, writable: true })
}

/**
 * Define `key` on `target` as an enumerable member computed on first read and kept, in the member
 * order of a plain object literal.
 */
export function lazyMember<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  const { slot, descriptor } = accessOf(key)
  hold(target, slot, new Deferred(target, compute))
  Object.defineProperty(target, key, descriptor)
}

/** Read `key` of `source` into `target` without computing it when `source` holds it lazily. */
export function forwardMember<S extends object, T extends object>(
  target: T,
  key: string & keyof S & keyof T,
  source: S,
): void {
  const { slot, descriptor } = accessOf(key)
  const deferred: unknown = Reflect.get(source, slot)
  if (deferred instanceof Deferred && deferred.owner === source) {
    hold(target, slot, new Deferred(target, () => deferred.read()))
    Object.defineProperty(target, key, descriptor)
  } else Reflect.set(target, key, Reflect.get(source, key))
}

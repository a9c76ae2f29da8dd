// `audit verify` on worker threads: the trail is cut into stretches (audit-walk.ts), this thread
// and `threads - 1` worker threads take the next one in trail order, and the verdicts are joined
// in trail order, so the result — records checked and the first broken record with its reason —
// is the one a single walk gives, whatever the number of threads. A stretch after a broken one
// is not handed out: the verdict stops at the first break.
import { Worker } from 'node:worker_threads'
import type { SqlStore } from '../store/store.ts'
import type { ChainKeys } from './audit-chain.ts'
import { stretchReplySchema, type StretchRequest, type VerifyBoot } from './audit-verify-messages.ts'
import { joinVerdicts, mapFile, walkStretch, type Stretch, type StretchVerdict } from './audit-walk.ts'

/**
 * The worker entry is TypeScript, like the rest of the runtime: each thread registers tsx's
 * loader before importing it (a worker does not inherit the main thread's loader on Node 20).
 */
const ENTRY = new URL('./audit-verify.worker.ts', import.meta.url).href
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}) })`

/**
 * Stretches a worker holds at once: while this thread walks a stretch of its own it reads no
 * message, so each worker keeps a second stretch queued instead of waiting for the next.
 */
const IN_FLIGHT = 2

/**
 * Walk `stretches` of the SQLite database `file` on this thread (through `store`, open on it) and
 * `threads - 1` workers, each reading the file on a read-only connection of its own (the pages
 * are not sent from this thread: the workers' reads go on side by side); the verdict of one walk.
 */
export async function walkOnThreads(
  store: SqlStore,
  file: string,
  keys: ChainKeys,
  stretches: readonly Stretch[],
  threads: number,
  /** Whether this thread walks stretches too (false leaves every stretch to `threads` workers). */
  thisThread = true,
): Promise<StretchVerdict> {
  const verdicts: (StretchVerdict | undefined)[] = stretches.map(() => undefined)
  let next = 0
  /** The first stretch found broken: later ones need not be walked. */
  let brokenAt = Infinity
  const take = (): number | undefined => (next < stretches.length && next <= brokenAt ? next++ : undefined)
  const settle = (index: number, verdict: StretchVerdict): void => {
    verdicts[index] = verdict
    if (verdict.firstBroken) brokenAt = Math.min(brokenAt, index)
  }
  const boot: VerifyBoot = {
    file,
    installation: keys.installation,
    legacyAuditThrough: keys.legacyAuditThrough,
    auditChainKey: keys.auditChainKey,
  }
  const workers: Worker[] = []
  /** Per worker lane: end it now if it holds no stretch (this thread has walked the rest). */
  const idleChecks: (() => void)[] = []
  const workerLane = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(BOOT, { eval: true, workerData: boot })
      workers.push(worker)
      let held = 0
      idleChecks.push(() => {
        if (held === 0) resolve()
      })
      // Stretches go out only once the worker is up: on a busy machine its start can take longer
      // than this thread needs for the whole trail.
      const handOut = (): void => {
        for (let index = take(); index !== undefined; index = held < IN_FLIGHT ? take() : undefined) {
          const stretch = stretches[index] as Stretch
          const request: StretchRequest = { index, stretch: withoutUndefined(stretch) }
          worker.postMessage(request)
          held++
        }
        if (held === 0) resolve()
      }
      worker.on('message', (message: unknown) => {
        const reply = stretchReplySchema.parse(message)
        if (reply.type === 'ready') return handOut()
        held--
        if (reply.type === 'error')
          return reject(new Error(`A stretch of the audit trail could not be read: ${reply.message}`))
        settle(reply.index, { checked: reply.checked, firstBroken: reply.firstBroken })
        handOut()
      })
      worker.on('error', (error) => reject(new Error(`An audit verify thread stopped: ${error.message}`)))
      worker.on('exit', (code) => {
        if (code !== 0) reject(new Error(`An audit verify thread exited with code ${code}.`))
      })
    })
  const ownLane = async (): Promise<void> => {
    for (let index = take(); index !== undefined; index = take()) {
      settle(index, await walkStretch(store, keys, stretches[index] as Stretch))
      // Let the workers' replies in between stretches (they are handed their next one then).
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (const check of idleChecks) check()
  }
  const unmap = thisThread ? await mapFile(store) : async () => undefined
  try {
    const lanes = thisThread
      ? Math.max(0, Math.min(Math.floor(threads) - 1, stretches.length - 1))
      : Math.max(1, Math.min(Math.floor(threads), stretches.length))
    await Promise.all([...Array.from({ length: lanes }, workerLane), ...(thisThread ? [ownLane()] : [])])
  } finally {
    await unmap()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
  const walked: StretchVerdict[] = []
  for (const verdict of verdicts) {
    // Every stretch up to the first broken one was walked; the join stops there.
    if (!verdict) break
    walked.push(verdict)
  }
  return joinVerdicts(walked)
}

/** A stretch as a message carries it (no undefined member). */
function withoutUndefined(stretch: Stretch): StretchRequest['stretch'] {
  return stretch.after ? stretch : { from: stretch.from, through: stretch.through }
}

// Worker threads for the simulator (node:worker_threads): the engine hands chunks of cases to
// `run`, each goes to an idle thread, and the part comes back as plain data. Threads start when
// a simulation starts, get the two versions once, and end with it. The report does not depend
// on the number of threads (the engine merges parts in case order).
import { Worker } from 'node:worker_threads'
import type { PlannedCase, SimulationChunkRunner, SimulationPart, SimulationWorkers } from '@carepath/engine'
import { workerReplySchema, type WorkerRequest } from './simulation-messages.ts'

export interface SimulationWorkerOptions {
  /** Threads to run cases on, the calling thread included (2 on a 2-core machine: it and one worker). */
  threads: number
  /** Flow files whose folders hold the subflows the versions call (as `carepath simulate` finds them). */
  flowFiles?: readonly string[]
}

/**
 * The worker entry is TypeScript, like the rest of the runtime: each thread registers tsx's
 * loader before importing it (a worker does not inherit the main thread's loader on Node 20).
 */
const ENTRY = new URL('./simulation.worker.ts', import.meta.url).href
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}) })`

/**
 * Chunks a worker holds at once: while the calling thread runs a chunk of its own it reads no
 * message, so each worker keeps more chunks queued instead of waiting for the next (on a loaded
 * machine the calling thread's chunk can take several of the worker's).
 */
const CHUNKS_PER_WORKER = 4

/**
 * A worker's young generation (V8's default is 48 MB: 16 MB semi-spaces). A simulated case lives
 * for a fraction of a scavenge interval, but each scavenge promotes the few hundred KB of cases in
 * flight: fewer, larger scavenges moved 100k cases about 4% faster (`pnpm bench simulate`), for
 * about 150 MB more memory per worker while a simulation runs.
 */
const WORKER_YOUNG_GENERATION_MB = 192

/** Worker threads the engine's `simulate` runs chunks on (its `workers` option), beside the calling thread. */
export function simulationWorkers(options: SimulationWorkerOptions): SimulationWorkers {
  const workers = Math.max(1, Math.floor(options.threads)) - 1
  return {
    concurrency: workers * CHUNKS_PER_WORKER,
    thisThread: true,
    nextTurn: () => new Promise((resolve) => setImmediate(resolve)),
    start(setup) {
      return startThreads(workers, options.flowFiles ?? [], { type: 'setup', setup })
    },
  }
}

interface Pending {
  resolve(part: SimulationPart): void
  reject(error: Error): void
}

function startThreads(count: number, flowFiles: readonly string[], setup: WorkerRequest): SimulationChunkRunner {
  const pending = new Map<number, Pending>()
  const idle: Worker[] = []
  const waiting: ((worker: Worker) => void)[] = []
  let nextId = 0
  let failure: Error | undefined
  const fail = (error: Error): void => {
    failure ??= error
    for (const entry of pending.values()) entry.reject(failure)
    pending.clear()
  }
  const release = (worker: Worker): void => {
    const next = waiting.shift()
    if (next) next(worker)
    else idle.push(worker)
  }
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { flowFiles: [...flowFiles] },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    })
    worker.on('message', (message: unknown) => {
      const reply = workerReplySchema.parse(message)
      const entry = pending.get(reply.id)
      pending.delete(reply.id)
      release(worker)
      if (reply.type === 'part') entry?.resolve(reply.part)
      else entry?.reject(new Error(`A simulation worker could not run its cases: ${reply.message}`))
    })
    worker.on('error', (error) => fail(new Error(`A simulation worker stopped: ${error.message}`)))
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`A simulation worker exited with code ${code}.`))
    })
    worker.postMessage(setup)
    return worker
  })
  // Slots in turn (one per worker, then the second of each), so the first chunks spread over the workers.
  for (let slot = 0; slot < CHUNKS_PER_WORKER; slot++) idle.push(...workers)
  const acquire = (): Promise<Worker> => {
    const worker = idle.shift()
    return worker ? Promise.resolve(worker) : new Promise((resolve) => waiting.push(resolve))
  }
  return {
    async run(cases: readonly PlannedCase[]): Promise<SimulationPart> {
      if (failure) throw failure
      const worker = await acquire()
      const id = nextId++
      return await new Promise<SimulationPart>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        const request: WorkerRequest = { type: 'cases', id, cases: [...cases] }
        worker.postMessage(request)
      })
    },
    async close(): Promise<void> {
      await Promise.all(workers.map((worker) => worker.terminate()))
    },
  }
}

// A worker thread of the simulator: it loads the installation's node registry once, prepares
// them on its first case (compiled decisions are memoised per flow hash inside the thread), and
// then runs chunk after chunk of cases, sending back each chunk's part of the report.
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { runSimulationChunk, type PlannedCase, type SimulationSetup } from '@carepath/engine'
import { siblingFlowLoader } from '../cli/flow-files.ts'
import { registry } from '../plugins/installed-registry.ts'
import { workerRequestSchema, type WorkerReply } from './simulation-messages.ts'

const boot = z.object({ flowFiles: z.array(z.string()) }).parse(workerData)
const loaders = boot.flowFiles.map((file) => siblingFlowLoader(file))
const loadFlow =
  loaders.length === 0
    ? undefined
    : async (id: string, hash: string) => {
        let lastError: unknown
        for (const load of loaders) {
          try {
            return await load(id, hash)
          } catch (error) {
            lastError = error
          }
        }
        throw lastError
      }

let setup: SimulationSetup | undefined
/**
 * Chunks run one after another, in the order they came: the main thread queues several per
 * worker, and running them side by side (interleaved at every await) would keep several chunks'
 * cases alive at once, for the garbage collector to copy at every scavenge.
 */
let queue: Promise<void> = Promise.resolve()
const port = parentPort
if (!port) throw new Error('simulation.worker.ts runs only as a worker thread')
port.on('message', (message: unknown) => {
  const request = workerRequestSchema.parse(message)
  if (request.type === 'setup') {
    setup = request.setup
    return
  }
  queue = queue.then(() => run(request.id, request.cases))
})

async function run(id: number, cases: PlannedCase[]): Promise<void> {
  let reply: WorkerReply
  try {
    if (!setup) throw new Error('The simulation worker got cases before its setup.')
    const part = await runSimulationChunk(setup, cases, { registry, ...(loadFlow ? { loadFlow } : {}) })
    reply = { type: 'part', id, part }
  } catch (error) {
    reply = { type: 'error', id, message: error instanceof Error ? error.message : String(error) }
  }
  port?.postMessage(reply)
}

// A run's event log at rest: batches of events packed against the dictionary of the flow version
// the run is on (event-batch-codec.ts) and sealed under the run's data key, and read back the
// same way. The run store composes it; the data key it names per run seals the run's tasks too.
import { parseRunEvents, RUN_EVENT_VERSION, type RunEvent } from '@carepath/engine'
import { AppError } from '../errors.ts'
import { PLAINTEXT, SealedDataError, sealedKeyId, type DataCipher } from '../keys/data-cipher.ts'
import { insertRows, type BatchWriter, type SqlExecutor } from '../store/sql-executor.ts'
import { needsRunDictionary, packBatch, runDictionary, unpackBatch } from './event-batch-codec.ts'
import { createVersionDictionaries } from './version-dictionaries.ts'

/**
 * The data key of a run's PHI: one per flow and UTC day the run started, so every event batch and
 * task of a run is sealed under one key, and retention shreds a flow's day of runs at once.
 */
export const runKeyId = (flowId: string, startedAt: string) => `run:${flowId}:${startedAt.slice(0, 10)}`

/** A run whose data key retention shredded is told plainly; any other failure to open stays an internal error. */
export async function openOrExplain<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open()
  } catch (error) {
    if (error instanceof SealedDataError && error.reason === 'shredded')
      throw new AppError(
        'not-found',
        "This run's patient data was deleted at the end of its flow's retention period; its status, outcome and times remain.",
      )
    throw error
  }
}

/** One stored batch of a run's events (a run_events row). */
type EventBatchRow = [runId: string, firstSeq: number, lastSeq: number, version: number, events: Buffer]

/**
 * The event log of the run store on `sql`; `cipher` seals its batches at rest, each bound to its
 * row (plain JSON with `PLAINTEXT`).
 */
export function createRunEventLog(sql: SqlExecutor, cipher: DataCipher) {
  // A run's data key id and the version hash its batches are packed against: the key named by
  // its first stored batch (every later write of the run uses the same key) and the hash its row
  // keeps for the log, or for a run's first batch the key taken from its run.started event and
  // the hash its row is written with; remembered per run.
  const ofRun = new Map<string, { keyId: string; hash: string | undefined }>()
  const LOG_HASH = 'SELECT COALESCE(log_hash, hash) AS hash FROM runs WHERE id = ?'
  async function runOf(
    runId: string,
    batch: readonly RunEvent[] = [],
    rowHash?: string,
  ): Promise<{ keyId: string; hash?: string }> {
    const known = ofRun.get(runId)
    if (known) return known
    let keyId: string | undefined
    let hash: string | undefined
    // A batch that starts the run names its key itself: a new run has no stored batch to look up.
    const started = batch.find((e) => e.type === 'run.started')
    if (started?.type === 'run.started') {
      keyId = runKeyId(started.data.flowId, started.at)
      hash = rowHash ?? started.data.flowHash
    } else {
      const stored = await sql.get<{ events: string | Buffer }>(
        'SELECT events FROM run_events WHERE run_id = ? ORDER BY first_seq LIMIT 1',
        [runId],
      )
      keyId = stored ? sealedKeyId(stored.events) : undefined
      hash = (await sql.get<{ hash: string }>(LOG_HASH, [runId]))?.hash
    }
    if (!keyId) throw new Error(`run ${runId} has no stored events to name its data key`)
    if (ofRun.size >= 10_000) ofRun.delete(ofRun.keys().next().value as string)
    ofRun.set(runId, { keyId, hash })
    return { keyId, hash }
  }
  const dictionaries = createVersionDictionaries(sql)
  /** The dictionary of a run whose batches are packed against version `hash`, when that version is stored. */
  async function dictionaryOf(runId: string, hash: string | undefined): Promise<Buffer | undefined> {
    const version = hash === undefined ? undefined : await dictionaries.of(hash)
    return version && hash !== undefined ? runDictionary(version, { id: runId, hash }) : undefined
  }
  /** A batch packed against its run's dictionary (or the vocabulary's), sealed under its run's key. */
  async function sealBatch(runId: string, events: readonly RunEvent[], json: string, first: number, rowHash?: string) {
    const { keyId, hash } = await runOf(runId, events, rowHash)
    return cipher.sealBytes(keyId, packBatch(json, await dictionaryOf(runId, hash)), `run_events|${runId}|${first}`)
  }
  /** The dictionary a run's batches packed against it are unpacked with (event-batch-codec.ts). */
  async function dictionaryToRead(runId: string): Promise<Buffer> {
    const dictionary = await dictionaryOf(runId, (await sql.get<{ hash: string }>(LOG_HASH, [runId]))?.hash)
    if (!dictionary) throw new Error(`run ${runId}'s event log was packed against a flow version that is not stored`)
    return dictionary
  }
  // A transaction's event batches go in as it commits, in one statement for every run of a group
  // commit: on PostgreSQL a statement is a round trip, and a group of runs made one per run. Nothing
  // reads a run's log inside the transaction that appends to it (a run's steps are serialised and
  // each commits before the next reads), and a batch whose run's savepoint rolls back is dropped.
  // Two processes writing the same run's next seq still collide on the key, at the commit.
  const eventBatches: BatchWriter<EventBatchRow> = {
    flush: (rows) => insertRows(sql, 'run_events (run_id, first_seq, last_seq, version, events)', rows),
  }

  return {
    /**
     * The run's data key id (and the version hash its log is packed against), remembered per run;
     * `batch` and `rowHash` name them for a run whose first batch is being written.
     */
    runOf,
    /**
     * A run's whole log, parsed by the engine's event schema here, once per read (upgraded first
     * when a batch was written in an older format version): everything downstream trusts it.
     */
    async events(runId: string): Promise<RunEvent[]> {
      const out: RunEvent[] = []
      // Bytes, or text in rows written before batches were stored as bytes (SQLite keeps both).
      const batches = await sql.all<{ first_seq: number; version: number; events: string | Buffer }>(
        'SELECT first_seq, version, events FROM run_events WHERE run_id = ? ORDER BY first_seq',
        [runId],
      )
      let dictionary: Buffer | undefined
      for (const row of batches) {
        const bytes = await openOrExplain(() => cipher.openBytes(row.events, `run_events|${runId}|${row.first_seq}`))
        if (needsRunDictionary(bytes)) dictionary ??= await dictionaryToRead(runId)
        for (const event of parseRunEvents(JSON.parse(unpackBatch(bytes, dictionary)), row.version)) out.push(event)
      }
      return out
    },
    // Every row is a batch: the seqs of its first and last events, the event format version and the
    // events as a JSON array (a lone event is a batch of one). A run's step is a dozen events, and
    // one row costs the database one table and one primary-key entry instead of a dozen of each.
    // Two processes writing the same run's next seq collide on that key: one of them is refused.
    /** `hash`: the version hash the run's row is written with (a first batch is packed against it). */
    async appendEvents(runId: string, events: readonly RunEvent[], hash?: string) {
      if (events.length === 0) return
      const first = (events[0] as RunEvent).seq
      const last = (events[events.length - 1] as RunEvent).seq
      const json = JSON.stringify(events)
      // Packed before sealing (ciphertext does not compress); a store without a cipher keeps plain JSON.
      const sealed =
        cipher === PLAINTEXT ? Buffer.from(json, 'utf8') : await sealBatch(runId, events, json, first, hash)
      await sql.beforeCommit(eventBatches, [runId, first, last, RUN_EVENT_VERSION, sealed])
    },
  }
}

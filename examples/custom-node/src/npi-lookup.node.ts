// A node type in one file: checks a provider's NPI and looks it up in the NPPES NPI registry.
// Read the numbered notes at the bottom in order; they are the walkthrough.
import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { npiConnector } from './npi-settings.schema.ts'

// [1]
const factPath = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
    'a fact path is dotted names, like referral.referringNpi',
  )

export const npiLookupConfigSchema = z
  .object({
    npiFrom: factPath.describe('Fact holding the 10-digit NPI to look up.'),
    into: factPath.describe('Where the provider goes: <into>.name, <into>.taxonomy, <into>.active.'),
    requireActive: z.boolean().default(true).describe('Treat a deactivated NPI as not found.'),
  })
  .strict()
export type NpiLookupConfig = z.infer<typeof npiLookupConfigSchema>

// [2]
/** The request the `npi` connector receives. */
export interface NpiRequest {
  [key: string]: JsonValue
  number: string
}

/** What the node writes under `into`. */
export interface NpiProvider {
  [key: string]: JsonValue
  name: string
  taxonomy: string
  active: boolean
}

// [3]
/** The NPI check digit: Luhn over "80840" + the first nine digits (CMS NPI standard). */
export function isValidNpi(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{10}$/.test(value)) return false
  const digits = `80840${value.slice(0, 9)}`
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10 === Number(value[9])
}

// [4]
/** Read the first result of an NPPES answer; undefined when there is none. */
export function readNppesAnswer(response: JsonValue): NpiProvider | undefined {
  const parsed = nppesAnswerSchema.safeParse(response)
  if (!parsed.success)
    throw new NodeError('The NPI registry answered in an unexpected shape.', { code: 'bad-response' })
  const first = parsed.data.results[0]
  if (!first) return undefined
  const basic = first.basic
  const name = basic.organization_name ?? [basic.first_name, basic.last_name].filter(Boolean).join(' ')
  const taxonomy = first.taxonomies.find((t) => t.primary)?.desc ?? first.taxonomies[0]?.desc ?? ''
  return { name, taxonomy, active: basic.status !== 'D' }
}

const nppesAnswerSchema = z.object({
  results: z
    .array(
      z.object({
        basic: z.object({
          first_name: z.string().optional(),
          last_name: z.string().optional(),
          organization_name: z.string().optional(),
          status: z.string().optional(),
        }),
        taxonomies: z.array(z.object({ desc: z.string(), primary: z.boolean().optional() })).default([]),
      }),
    )
    .default([]),
})

// [5]
export const npiLookup = defineNodeType({
  type: 'npi.lookup',
  typeVersion: 1,
  title: 'NPI lookup',
  description: "Checks a provider's NPI and looks it up in the national NPI registry (NPPES).",
  category: 'Integration',
  icon: 'NPI',
  keywords: ['npi', 'nppes', 'provider', 'referral', 'credentialing'],
  config: npiLookupConfigSchema,
  defaults: { npiFrom: 'referral.referringNpi', into: 'referrer', requireActive: true },
  // [6]
  ports: () => [
    { name: 'found', required: true, title: 'Found' },
    { name: 'not-found', required: true, title: 'Not found or invalid' },
    { name: 'error', required: false, title: 'Registry unavailable' },
  ],
  reads: (config) => [config.npiFrom],
  writes: (config) => [`${config.into}.name`, `${config.into}.taxonomy`, `${config.into}.active`],
  // [7]
  phi: [], // an NPI identifies a provider, not a patient: this node handles no patient data
  // [8]
  connectors: [npiConnector],
  // [9]
  async execute(ctx, config) {
    const npi = ctx.get(config.npiFrom)
    if (!isValidNpi(npi)) return { kind: 'next', port: 'not-found' }
    const request: NpiRequest = { number: npi }
    const provider = readNppesAnswer(await ctx.call('npi', request))
    if (!provider || (config.requireActive && !provider.active)) return { kind: 'next', port: 'not-found' }
    return {
      kind: 'next',
      port: 'found',
      set: {
        [`${config.into}.name`]: provider.name,
        [`${config.into}.taxonomy`]: provider.taxonomy,
        [`${config.into}.active`]: provider.active,
      },
    }
  },
})

/*
[1] Config is a zod schema, and nothing else describes it. The designer's inspector is generated
    from it (`z.toJSONSchema`), so `.describe()` texts are the help an analyst reads, and the DSL
    validator parses every node's config with it (`invalid-config` problems). `.strict()` makes a
    typo in a flow file an error instead of a silently ignored key.

[2] Connector requests and responses are plain JSON: the engine records both in the run's event
    log, replays the recorded response on resume, and the simulator feeds mocked ones. That is
    why the node never fetches anything itself.

[3] Pure helpers live beside the node and are tested on their own. An NPI with a wrong check
    digit never reaches the registry: the run goes to `not-found` without a call, so a typo costs
    nothing and the decision is the same in every replay.

[4] Outside data is validated at the boundary (STYLE.md rule 3). A registry answer of the wrong
    shape becomes a NodeError, which the engine routes to the node's `error` port when the flow
    wires one; the message names no value from the response.

[5] One `defineNodeType` object holds everything about the kind, as tldraw's ShapeUtil does.
    The type id is dotted and namespaced (`npi.lookup`); `defineNodeType` refuses a malformed id,
    a typeVersion that does not match its migrations, and defaults that fail the schema, at
    import time, so a broken type never loads. `category` picks the palette group; `icon` and
    `keywords` are what the palette shows and searches.

[6] Ports are computed from the config (here they are fixed). Required ports must have an edge in
    every flow that uses the node: an NPI nobody handles when it is not found is a bug the
    validator reports (`missing-required-port`). `error` is optional; without it a registry
    outage fails the run with the node id and a plain message.

[7] `phi` is written out on every type, an empty list included. Validation and the designer use
    it to show which nodes touch patient data, and `reads`/`writes` let validation check the
    fact paths against the flow's facts schema (`unknown-fact-path`).

[8] `connectors` declares every connector `execute` calls, with the zod schema of its settings
    (npi-settings.schema.ts). The installation's settings API accepts an `npi` key only because
    an installed node type declares it, and validation and the publish gate warn about a flow
    that uses npi.lookup while the environment has no `npi` settings.

[9] `execute` gets an ExecuteContext: frozen facts, `get`, the injected clock, and `call` for
    connectors. `ctx.call('npi', …)` goes to the adapter the host built from this package's
    `npiRegistry` and the stored settings (see npi-registry.adapter.ts); tests inject a fake. The
    result says which port to take and which facts to set; the engine refuses writes outside
    `writes`.
*/

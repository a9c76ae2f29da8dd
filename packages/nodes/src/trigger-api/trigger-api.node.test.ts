import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { triggerApi } from './trigger-api.node.ts'

const config = (input: unknown) => triggerApi.config.parse(input)

describe('trigger.api', () => {
  it('is an entry point with one required port', () => {
    expect(triggerApi.trigger).toBe(true)
    expect(triggerApi.ports(config({}))).toEqual([{ name: 'next', required: true, title: 'Started' }])
  })

  it('continues when every required input is present', async () => {
    const ctx = createFakeContext({ facts: { patient: { mrn: 'M1' }, payer: { id: 'P' } } })
    const outcome = await triggerApi.execute(ctx, config({ requiredInputs: ['patient.mrn', 'payer.id'] }))
    expect(outcome).toEqual({ kind: 'next', port: 'next' })
  })

  it('refuses a run that lacks a required input and names the path, not any value', async () => {
    const ctx = createFakeContext({ facts: { patient: { mrn: 'M1', name: '' } } })
    const run = () => triggerApi.execute(ctx, config({ requiredInputs: ['patient.mrn', 'patient.name', 'payer.id'] }))
    expect(run).toThrow(NodeError)
    expect(run).toThrow('The run input lacks required facts: patient.name, payer.id.')
  })

  it('declares the required inputs as reads and rejects malformed paths', () => {
    expect(triggerApi.reads(config({ requiredInputs: ['a.b'] }))).toEqual(['a.b'])
    expect(triggerApi.config.safeParse({ requiredInputs: ['a..b'] }).success).toBe(false)
    expect(triggerApi.config.safeParse({ other: 1 }).success).toBe(false)
  })
})

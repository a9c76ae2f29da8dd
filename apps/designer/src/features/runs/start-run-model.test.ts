import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '../../registry.ts'
import { inputJson, missingInputs, parseInputJson, requiredFacts, startInputs } from './start-run-model.ts'

const flow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'refill',
  version: 1,
  title: 'Medication refill',
  facts: {
    type: 'object',
    required: ['patient'],
    properties: {
      patient: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
      medication: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    },
  },
  roles: {},
  start: 'api',
  nodes: {
    api: {
      type: 'trigger.api',
      typeVersion: 1,
      config: { requiredInputs: ['patient.id', 'medication.name'] },
      next: { next: 'hook' },
    },
    hook: { type: 'trigger.webhook', typeVersion: 1, config: { requiredInputs: ['ignored'] }, next: {} },
    api2: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: ['patient.id', 'copay'] }, next: {} },
  },
}

describe('starting a run from the form', () => {
  it('requires what the API triggers require, and what the schema requires once its object is given', () => {
    expect(requiredFacts(flow)).toEqual([
      { path: 'patient.id', within: '' },
      { path: 'medication.name', within: '' },
      { path: 'copay', within: '' },
      { path: 'patient', within: '' },
    ])
    const schemaOnly = requiredFacts({ ...flow, nodes: {} })
    expect(schemaOnly).toEqual([
      { path: 'patient', within: '' },
      { path: 'patient.id', within: 'patient' },
      { path: 'medication.name', within: 'medication' },
    ])
    // No medication given: its name is not asked for; a patient given without an id is.
    expect(missingInputs({ patient: { name: 'Ada' } }, schemaOnly)).toEqual({
      'patient.id': 'Required once patient is given: the flow refuses a run without it.',
    })
  })

  it('names each required fact left empty, and nothing once all are given', () => {
    const required = requiredFacts(flow)
    expect(Object.keys(missingInputs({ patient: { id: '' }, copay: 0 }, required))).toEqual([
      'patient.id',
      'medication.name',
    ])
    expect(missingInputs({ patient: { id: 'P1' }, medication: { name: 'x' }, copay: false }, required)).toEqual({})
  })

  it('round-trips the JSON view, keeping facts the form has no field for', () => {
    const input = { patient: { id: 'P1', allergies: ['penicillin'] }, copay: 25 }
    expect(parseInputJson(inputJson(input))).toEqual({ ok: true, input })
  })

  it('says in words why the JSON view’s text cannot be an input', () => {
    expect(parseInputJson('{"patient": ')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^This is not valid JSON/),
    })
    expect(parseInputJson('[1, 2]')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/one JSON object of facts/),
    })
  })

  it("asks for what a run starts with: the trigger's required inputs first, never a fact a step writes", () => {
    const refill: FlowDocument = {
      ...flow,
      facts: {
        type: 'object',
        properties: {
          copay: { type: 'number' },
          patient: { type: 'object', properties: { name: { type: 'string' }, id: { type: 'string' } } },
          approval: { type: 'object', properties: { decision: { type: 'string' }, comment: { type: 'string' } } },
          pharmacy: {
            type: 'object',
            properties: { response: { type: 'object', properties: { status: { type: 'number' } } } },
          },
          route: { type: 'string' },
        },
      },
      start: 'api',
      nodes: {
        api: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: ['patient'] }, next: { next: 'rules' } },
        // A decision's outcome, a human step's answer and a connector's response are the flow's own.
        rules: {
          type: 'decision.rules',
          typeVersion: 1,
          config: { rules: [], defaultOutcome: 'next', into: 'route' },
          next: { next: 'approve' },
        },
        approve: {
          type: 'task.approval',
          typeVersion: 1,
          config: {
            role: 'pharmacy',
            title: 'Approve',
            shows: [],
            into: 'approval.decision',
            commentInto: 'approval.comment',
            comment: 'optional',
          },
          next: { approved: 'call', rejected: 'call' },
        },
        call: {
          type: 'http.request',
          typeVersion: 1,
          config: { method: 'GET', url: 'https://pharmacy.example/api', into: 'pharmacy.response' },
          next: {},
        },
      },
    }
    // The required object's fields first (in the schema's order), then the rest not written by a step.
    expect(startInputs(refill, registry)).toEqual(['patient.name', 'patient.id', 'copay'])
    // Without steps, every field is an input.
    expect(startInputs({ ...refill, nodes: { api: refill.nodes.api! } }, registry)).toEqual([
      'patient.name',
      'patient.id',
      'copay',
      'approval.decision',
      'approval.comment',
      'pharmacy.response.status',
      'route',
    ])
  })
})

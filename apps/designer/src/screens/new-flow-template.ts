// What a new flow starts with: an empty canvas, and a small facts schema and roles an analyst
// can extend in Flow settings (so the fact picker has something to offer from the first minute).
import type { FlowDocument } from '@carepath/dsl'

export function newFlowDocument(id: string, title: string): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title,
    facts: {
      type: 'object',
      properties: {
        patient: {
          type: 'object',
          properties: {
            mrn: { type: 'string', 'x-phi': 'identifier' },
            firstName: { type: 'string', 'x-phi': 'demographic' },
            lastName: { type: 'string', 'x-phi': 'demographic' },
            birthDate: { type: 'string', format: 'date', 'x-phi': 'demographic' },
            phone: { type: 'string', 'x-phi': 'contact' },
          },
        },
        coverage: {
          type: 'object',
          properties: {
            active: { type: 'boolean', 'x-phi': 'coverage' },
            copay: { type: 'number', 'x-phi': 'financial' },
            memberId: { type: 'string', 'x-phi': 'identifier' },
          },
        },
        visit: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['new-patient', 'follow-up', 'procedure'], 'x-phi': 'none' },
            confirmed: { type: 'string', description: 'What the patient answered when called', 'x-phi': 'none' },
          },
        },
      },
    },
    roles: {
      'front-desk': { title: 'Front desk', phi: ['none', 'demographic', 'contact'] },
      'eligibility-specialist': {
        title: 'Eligibility specialist',
        phi: ['none', 'identifier', 'demographic', 'contact', 'coverage', 'financial'],
      },
    },
    start: '',
    nodes: {},
    layout: {},
  }
}

/** A kebab-case id from a title: "Flu shot reminder" → "flu-shot-reminder". */
export function idFromTitle(title: string): string {
  const id = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return /^[a-z]/.test(id) ? id : `flow-${id}`
}

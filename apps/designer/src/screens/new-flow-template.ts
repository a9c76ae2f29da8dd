// What a new flow starts with: an empty canvas and, unless the analyst picks a template, no facts
// and no roles (no other domain's defaults). A template gives a small facts schema and roles to
// extend in Flow settings, or (integration intake) a whole shipped example flow to adapt.
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import integrationIntakeJson from '../../../../examples/integration-intake.flow.json'

type Starting = Pick<FlowDocument, 'facts' | 'roles'> &
  Partial<Pick<FlowDocument, 'description' | 'start' | 'nodes' | 'layout'>>

// Parsed once, at module scope: the shipped example is checked by its own suite in examples/.
const integrationIntake = flowDocumentSchema.parse(integrationIntakeJson)

/** The templates a new flow can start from, blank first. */
export const FLOW_TEMPLATES = [
  { id: 'blank', label: 'Blank: no facts, no roles' },
  {
    id: 'visit-scheduling',
    label: 'Visit scheduling: patient, coverage and visit facts; front desk and eligibility roles',
  },
  {
    id: 'integration-intake',
    label: 'Integration intake: request, compliance and security review, mapping, test evidence, go-live, support',
  },
] as const
/** A template's id. */
export type FlowTemplateId = (typeof FLOW_TEMPLATES)[number]['id']

const STARTING: Record<FlowTemplateId, () => Starting> = {
  blank: () => ({ facts: { type: 'object', properties: {} }, roles: {} }),
  'visit-scheduling': () => ({
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
  }),
  'integration-intake': () => {
    const { description, facts, roles, start, nodes, layout } = structuredClone(integrationIntake)
    return { ...(description === undefined ? {} : { description }), facts, roles, start, nodes, layout }
  },
}

export function newFlowDocument(id: string, title: string, template: FlowTemplateId = 'blank'): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title,
    start: '',
    nodes: {},
    layout: {},
    ...STARTING[template](),
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

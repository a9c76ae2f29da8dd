// The PHI map as the runtime serves it: encryption read from the stored connector settings, the
// diff of a draft against the published version, the installation's rollup, the audited
// quarterly review and the alert when it lapses (on the test runtime's injected clock).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])
const DAY = 24 * 3_600_000
const examples = join(import.meta.dirname, '../../../../examples')
const discharge = (): FlowDocument =>
  flowDocumentSchema.parse(JSON.parse(readFileSync(join(examples, 'discharge-follow-up.flow.json'), 'utf8')))

/** The draft an analyst makes: a second text message, asking how the patient feels. */
function withSurveyText(flow: FlowDocument): FlowDocument {
  const draft = structuredClone(flow)
  draft.nodes['survey-text'] = {
    type: 'notify',
    typeVersion: 1,
    title: 'Text a how-are-you survey',
    config: {
      channel: 'sms',
      toFrom: 'patient.phone',
      message: 'Hi {{patient.firstName}}, how are you?',
      record: false,
    },
    next: { sent: 'outreach-sent', error: 'outreach-sent' },
  }
  const outreach = draft.nodes['outreach-text']
  if (outreach) outreach.next = { ...outreach.next, sent: 'survey-text' }
  return draft
}

describe('PHI map service', () => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await createTestRuntime({ registry })
  })
  afterEach(() => t.close())

  it('reads whether each channel is encrypted from the connector settings', async () => {
    await publishFlow(t, discharge())
    const before = await t.as.analyst.phiMap.get({ id: 'discharge-follow-up' })
    const sms = before.map.touchpoints.find((r) => r.endpoint?.system === 'SMS gateway')
    expect(sms?.endpoint).toMatchObject({ encrypted: 'unknown', encryptionNote: 'not configured in this installation' })

    await t.as.developer.settings.setIntegrations({
      notify: { sms: { url: 'https://sms.example.org/send' } },
      fhir: { baseUrl: 'http://ehr.internal/fhir' },
    })
    const after = await t.as.analyst.phiMap.get({ id: 'discharge-follow-up', version: 1 })
    const sent = after.map.touchpoints
      .filter((r) => r.kind === 'sent')
      .map(
        (r) => `${r.phiClass} → ${r.endpoint?.system} ${r.endpoint?.encrypted} ${r.endpoint?.endpoint} by ${r.where}`,
      )
    expect(sent).toEqual([
      'identifier → FHIR server no ehr.internal by Book the follow-up visit (7 days)',
      'identifier → FHIR server no ehr.internal by Text follow-up instructions (no diagnosis)',
      'demographic → FHIR server no ehr.internal by Text follow-up instructions (no diagnosis)',
      'demographic → SMS gateway yes sms.example.org by Text follow-up instructions (no diagnosis)',
      'contact → SMS gateway yes sms.example.org by Text follow-up instructions (no diagnosis)',
    ])
  })

  it('lists what a draft adds against the published version, in sentences', async () => {
    await publishFlow(t, discharge())
    await t.as.analyst.flows.save({ id: 'discharge-follow-up', document: withSurveyText(discharge()), baseRevision: 1 })
    const diff = await t.as.reviewer.phiMap.diff({ id: 'discharge-follow-up' })
    expect(diff).toMatchObject({ revision: 2, publishedRevision: 1, removed: [], newClasses: [] })
    expect(diff.added.map((c) => c.summary)).toEqual([
      'demographic data now read by “Text a how-are-you survey”',
      'demographic data now sent to SMS gateway (outside, channel: sms, encrypted: unknown) by “Text a how-are-you survey”',
      'contact data now read by “Text a how-are-you survey”',
      'contact data now sent to SMS gateway (outside, channel: sms, encrypted: unknown) by “Text a how-are-you survey”',
    ])
  })

  it('maps an unsaved document with validation errors, and refuses what is not a flow', async () => {
    const draft = withSurveyText(discharge())
    const survey = draft.nodes['survey-text']
    if (survey) survey.config = { ...survey.config, message: 'Your diagnosis: {{encounter.diagnosisCode}}' }
    const map = await t.as.analyst.phiMap.preview({ document: draft })
    expect(map.classes.find((c) => c.phiClass === 'clinical')?.sentTo).toEqual([
      'SMS gateway (outside, channel: sms, encrypted: unknown)',
    ])
    await expect(t.as.analyst.phiMap.preview({ document: { title: 'x' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^The flow cannot be mapped: /),
    })
    await expect(t.as.analyst.phiMap.get({ id: 'no-such-flow' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('says which classes a queue’s clearance withholds, and does not count that queue as seeing them', async () => {
    await publishFlow(t, discharge())
    const contact = async () =>
      (await t.as.analyst.phiMap.get({ id: 'discharge-follow-up' })).map.classes.find((c) => c.phiClass === 'contact')
    expect((await contact())?.queues).toEqual(['front-desk', 'nurse'])

    // The admin clears the front desk for demographic data only: the phone number is hidden from it.
    const saved = await t.as.admin.queues.save({
      name: 'front-desk',
      description: 'Front desk',
      phi: ['demographic'],
      baseVersion: null,
    })
    const capped = await t.as.analyst.phiMap.get({ id: 'discharge-follow-up' })
    expect(capped.map.classes.find((c) => c.phiClass === 'contact')).toMatchObject({
      queues: ['nurse'],
      withheld: [
        "asked for by the front-desk step “Book the follow-up by hand”, withheld by the front-desk queue's clearance",
        "asked for by the flow's front-desk role, withheld by the front-desk queue's clearance",
      ],
    })
    expect(capped.map.classes.find((c) => c.phiClass === 'demographic')?.queues).toContain('front-desk')
    expect(capped.map.touchpoints.filter((r) => r.withheld).map((r) => `${r.phiClass} ${r.kind} ${r.queue}`)).toEqual([
      'contact shown front-desk',
      'contact may-see front-desk',
    ])

    // The editor's map and the installation's rollup say the same.
    const preview = await t.as.analyst.phiMap.preview({ document: discharge() })
    expect(preview.touchpoints.filter((r) => r.withheld)).toEqual(capped.map.touchpoints.filter((r) => r.withheld))
    expect((await t.as.auditor.phiMap.rollup()).flows[0]?.withheld).toEqual([
      "contact: asked for by the front-desk step “Book the follow-up by hand”, withheld by the front-desk queue's clearance",
      "contact: asked for by the flow's front-desk role, withheld by the front-desk queue's clearance",
    ])
    // A draft whose front-desk role asks for clinical data too: the review reads that it is withheld.
    const asking = discharge()
    const frontDesk = asking.roles['front-desk']
    if (frontDesk) frontDesk.phi = [...frontDesk.phi, 'clinical']
    await t.as.analyst.flows.save({ id: 'discharge-follow-up', document: asking, baseRevision: 1 })
    const diff = await t.as.reviewer.phiMap.diff({ id: 'discharge-follow-up' })
    expect(diff.removed).toEqual([])
    expect(diff.added.map((c) => c.summary)).toEqual([
      "clinical data now asked for by the flow's front-desk role, withheld by the front-desk queue's clearance",
    ])

    // No clearance again: the map is the flow's own.
    await t.as.admin.queues.save({
      name: 'front-desk',
      description: 'Front desk',
      phi: null,
      baseVersion: saved.version,
    })
    expect((await contact())?.queues).toEqual(['front-desk', 'nurse'])
  })

  it('names a version that does not exist and the ones that do', async () => {
    await publishFlow(t, discharge())
    await expect(t.as.analyst.phiMap.get({ id: 'discharge-follow-up', version: 7 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Flow "discharge-follow-up" has no version 7 (versions: 1).',
    })
  })

  it('rolls up every flow and system, records the review (audited) and alerts a quarter later', async () => {
    await publishFlow(t, discharge())
    await t.as.admin.alerts.setSettings({
      settings: {
        defaultOwners: { compliance: [{ user: 'auditor' }] },
        rules: [{ id: 'phi-map-review', kind: 'phi-map-review' }],
      },
    })
    const rollup = await t.as.auditor.phiMap.rollup()
    expect(rollup.flows).toEqual([
      {
        flowId: 'discharge-follow-up',
        title: 'Discharge follow-up (ADT-driven)',
        revision: 1,
        published: true,
        classes: ['identifier', 'demographic', 'contact', 'clinical'],
        systems: [
          'FHIR server (outside, channel: fhir, encrypted: unknown)',
          'SMS gateway (outside, channel: sms, encrypted: unknown)',
        ],
        withheld: [],
      },
    ])
    expect(rollup.systems.map((s) => [s.system, s.classes.join(' '), s.flows.join(', ')])).toEqual([
      ['FHIR server', 'identifier demographic', 'Discharge follow-up (ADT-driven)'],
      ['SMS gateway', 'demographic contact', 'Discharge follow-up (ADT-driven)'],
    ])
    expect(rollup).toMatchObject({ review: null, reviewDue: null, overdue: true })

    // Never reviewed: the compliance owner is told.
    expect((await t.as.operator.alerts.evaluate()).opened).toHaveLength(1)
    const [alert] = await t.as.auditor.alerts.mine()
    expect(alert).toMatchObject({ ownerKind: 'compliance', message: expect.stringContaining('never been reviewed') })

    const reviewed = await t.as.auditor.phiMap.markReviewed()
    expect(reviewed).toMatchObject({
      review: { reviewedOn: '2026-03-01T09:00:00.000Z', reviewedBy: 'auditor' },
      reviewDue: '2026-06-01T09:00:00.000Z',
      overdue: false,
    })
    const { items } = await t.as.auditor.audit.list({ limit: 500 })
    expect(items.filter((i) => i.record.action === 'phi-map.review').map((i) => i.record)).toMatchObject([
      { agent: { who: 'auditor' }, why: { flows: ['discharge-follow-up'] } },
    ])
    expect((await t.as.operator.alerts.evaluate()).closed).toHaveLength(1)

    // A day before the quarter is up nothing opens; on the day it does, naming the last review.
    // (Sessions do not last a quarter: the server's own evaluation runs on its clock.)
    t.advance(91 * DAY)
    expect(await t.runtime.alerts.evaluate()).toEqual({ opened: [], closed: [] })
    t.advance(1 * DAY)
    expect((await t.runtime.alerts.evaluate()).opened).toHaveLength(1)
    const [late] = await t.runtime.alerts.list({ status: 'open' })
    expect(late?.message).toBe(
      'The PHI touchpoint map was last reviewed on 2026-03-01 by auditor; its quarterly review was due on 2026-06-01.',
    )
  })
})

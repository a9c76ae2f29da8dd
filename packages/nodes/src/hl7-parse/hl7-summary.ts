// The values most flows route on, taken out of the segment tree under stable names, so a rule
// can say `message.summary.patient.birthDate` instead of knowing PID-7's component layout.
import type { JsonValue } from '@carepath/dsl'
import { firstComponent, type Hl7FieldValue, type Hl7SegmentFacts } from './hl7-values.ts'

/** HL7 DTM (`YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]`) → ISO date or date-time; other text as given. */
export function hl7DateToIso(value: string): string {
  const m = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d+)?)?([+-]\d{4})?$/.exec(value)
  if (!m) return value
  const [, y, mo, d, h, mi, s, tz] = m
  if (!mo) return y!
  if (!d) return `${y}-${mo}`
  const date = `${y}-${mo}-${d}`
  if (!h) return date
  const offset = tz ? `${tz.slice(0, 3)}:${tz.slice(3)}` : ''
  return `${date}T${h}:${mi ?? '00'}:${s ?? '00'}${offset}`
}

function component(segment: Hl7SegmentFacts | undefined, field: string, index = 1): string {
  return firstComponent(segment?.[field], index)
}

/** All repetitions of a field as component lists. */
function repetitions(value: Hl7FieldValue | undefined): string[][] {
  if (value === undefined) return []
  if (typeof value === 'string') return [[value]]
  return value.map((rep) => rep.map((c) => (typeof c === 'string' ? c : (c[0] ?? ''))))
}

function person(value: Hl7FieldValue | undefined, offset = 0): { [key: string]: JsonValue } {
  // XCN (providers) has an id first; XPN (patients) starts with the family name.
  const first = repetitions(value)[0] ?? []
  return { id: offset ? (first[0] ?? '') : '', family: first[offset] ?? '', given: first[offset + 1] ?? '' }
}

function code(value: Hl7FieldValue | undefined): { [key: string]: JsonValue } {
  const first = repetitions(value)[0] ?? []
  return { code: first[0] ?? '', text: first[1] ?? '', system: first[2] ?? '' }
}

function patientOf(pid: Hl7SegmentFacts | undefined): { [key: string]: JsonValue } | undefined {
  if (!pid) return undefined
  const identifiers = repetitions(pid['patientIdentifierList']).map((rep) => ({
    id: rep[0] ?? '',
    assigningAuthority: rep[3] ?? '',
    type: rep[4] ?? '',
  }))
  const mrn = identifiers.find((identifier) => identifier.type === 'MR') ?? identifiers[0]
  const name = person(pid['patientName'])
  const address = repetitions(pid['patientAddress'])[0] ?? []
  return {
    mrn: mrn?.id ?? component(pid, 'patientId'),
    identifiers,
    family: name['family'] ?? '',
    given: name['given'] ?? '',
    birthDate: hl7DateToIso(component(pid, 'dateTimeOfBirth')),
    sex: component(pid, 'administrativeSex'),
    phone: component(pid, 'phoneNumberHome'),
    address: { line: address[0] ?? '', city: address[2] ?? '', state: address[3] ?? '', postalCode: address[4] ?? '' },
  }
}

/** The flattened summary of a parsed message. */
export function summarize(segments: { [segment: string]: Hl7SegmentFacts[] }): { [key: string]: JsonValue } {
  const summary: { [key: string]: JsonValue } = {}
  const first = (name: string) => segments[name]?.[0]
  const patient = patientOf(first('PID'))
  if (patient) summary['patient'] = patient
  const pv1 = first('PV1')
  if (pv1) {
    summary['visit'] = {
      patientClass: component(pv1, 'patientClass'),
      location: component(pv1, 'assignedPatientLocation'),
      attendingDoctor: person(pv1['attendingDoctor'], 1),
      visitNumber: component(pv1, 'visitNumber'),
      admitDateTime: hl7DateToIso(component(pv1, 'admitDateTime')),
      dischargeDateTime: hl7DateToIso(component(pv1, 'dischargeDateTime')),
      dischargeDisposition: component(pv1, 'dischargeDisposition'),
    }
  }
  const mrg = first('MRG')
  if (mrg) summary['merge'] = { priorMrn: component(mrg, 'priorPatientIdentifierList') }
  const obrs = segments['OBR'] ?? []
  const orcs = segments['ORC'] ?? []
  if (obrs.length > 0 || orcs.length > 0) {
    summary['orders'] = (obrs.length > 0 ? obrs : orcs).map((obr, index) => ({
      control: component(orcs[index], 'orderControl'),
      placerOrderNumber: component(obr, 'placerOrderNumber') || component(orcs[index], 'placerOrderNumber'),
      fillerOrderNumber: component(obr, 'fillerOrderNumber') || component(orcs[index], 'fillerOrderNumber'),
      service: code(obr['universalServiceIdentifier']),
      priority: component(obr, 'priority'),
      resultStatus: component(obr, 'resultStatus'),
    }))
  }
  const obxs = segments['OBX'] ?? []
  if (obxs.length > 0) {
    summary['results'] = obxs.map((obx) => {
      const raw = component(obx, 'observationValue')
      const numeric = component(obx, 'valueType') === 'NM' && /^[-+]?\d+(\.\d+)?$/.test(raw.trim())
      return {
        code: code(obx['observationIdentifier']),
        valueType: component(obx, 'valueType'),
        value: numeric ? Number(raw) : raw,
        units: component(obx, 'units'),
        referenceRange: component(obx, 'referencesRange'),
        abnormalFlag: component(obx, 'abnormalFlags'),
        status: component(obx, 'observationResultStatus'),
      }
    })
  }
  const sch = first('SCH')
  if (sch) {
    const ais = first('AIS')
    const ail = first('AIL')
    summary['appointment'] = {
      placerId: component(sch, 'placerAppointmentId'),
      fillerId: component(sch, 'fillerAppointmentId'),
      reason: code(sch['appointmentReason'] ?? sch['eventReason']),
      type: component(sch, 'appointmentType'),
      duration: component(sch, 'appointmentDuration'),
      status: component(sch, 'fillerStatusCode'),
      start: hl7DateToIso(component(ais, 'startDateTime') || firstComponent(sch['appointmentTimingQuantity'], 4)),
      location: component(ail, 'locationResourceId'),
    }
  }
  const rf1 = first('RF1')
  if (rf1) {
    summary['referral'] = {
      status: component(rf1, 'referralStatus'),
      priority: component(rf1, 'referralPriority'),
      type: component(rf1, 'referralType'),
      category: component(rf1, 'referralCategory'),
      id: component(rf1, 'originatingReferralIdentifier'),
      reason: code(rf1['referralReason']),
      providers: (segments['PRD'] ?? []).map((prd) => ({
        role: component(prd, 'providerRole'),
        ...person(prd['providerName']),
      })),
    }
  }
  return summary
}

// What payer.eligibility sends the "payer" connector and what it gets back, format-neutral.
import { z } from 'zod'

export const eligibilityInquirySchema = z.object({
  format: z.enum(['fhir', 'x12']),
  payer: z.string().min(1),
  serviceType: z.string().regex(/^[A-Z0-9]{1,2}$/),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  member: z.object({
    id: z.string().min(1).max(80),
    lastName: z.string().min(1).max(60),
    firstName: z.string().min(1).max(35).optional(),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
})
export type EligibilityInquiry = z.infer<typeof eligibilityInquirySchema>

export interface EligibilityAnswer {
  [key: string]: string | number | null | { code: string; reason: string }[]
  status: 'active' | 'inactive' | 'rejected'
  plan: string | null
  copay: number | null
  deductible: number | null
  deductibleRemaining: number | null
  rejections: { code: string; reason: string }[]
}

/** X12 AAA03 reject reason codes (005010, code list 901), the ones eligibility uses. */
export const REJECT_REASONS: Record<string, string> = {
  '04': 'Authorized Quantity Exceeded',
  '15': 'Required application data missing',
  '41': 'Authorization/Access Restrictions',
  '42': 'Unable to Respond at Current Time',
  '43': 'Invalid/Missing Provider Identification',
  '45': 'Invalid/Missing Provider Specialty',
  '47': 'Invalid/Missing Provider State',
  '48': 'Invalid/Missing Referring Provider Identification Number',
  '49': 'Provider is Not Primary Care Physician',
  '51': 'Provider Not on File',
  '52': 'Service Dates Not Within Provider Plan Enrollment',
  '56': 'Inappropriate Date',
  '57': 'Invalid/Missing Date(s) of Service',
  '58': 'Invalid/Missing Date-of-Birth',
  '60': 'Date of Birth Follows Date(s) of Service',
  '61': 'Date of Death Precedes Date(s) of Service',
  '62': 'Date of Service Not Within Allowable Inquiry Period',
  '63': 'Date of Service in Future',
  '64': 'Invalid/Missing Patient ID',
  '65': 'Invalid/Missing Patient Name',
  '66': 'Invalid/Missing Patient Gender Code',
  '67': 'Patient Not Found',
  '68': 'Duplicate Patient ID Number',
  '71': 'Patient Birth Date Does Not Match That for the Patient on the Database',
  '72': 'Invalid/Missing Subscriber/Insured ID',
  '73': 'Invalid/Missing Subscriber/Insured Name',
  '74': 'Invalid/Missing Subscriber/Insured Gender Code',
  '75': 'Subscriber/Insured Not Found',
  '76': 'Duplicate Subscriber/Insured ID Number',
  '78': 'Subscriber/Insured Not in Group/Plan Identified',
  '79': 'Invalid Participant Identification',
  '80': 'No Response received - Transaction Terminated',
  '97': 'Invalid or Missing Provider Address',
  T4: 'Payer Name or Identifier Missing',
}

export const X12_REJECT_SYSTEM = 'https://codesystem.x12.org/005010/901'

export function rejection(code: string): { code: string; reason: string } {
  return { code, reason: REJECT_REASONS[code] ?? 'Rejected by the payer' }
}

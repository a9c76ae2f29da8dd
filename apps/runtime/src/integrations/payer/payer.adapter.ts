// The "payer" connector: one eligibility inquiry, sent as a FHIR CoverageEligibilityRequest
// (POST {fhir.baseUrl}/CoverageEligibilityRequest/$submit) or an X12 270 (POST to x12.url, the
// answer's body is the 271), normalised for payer.eligibility.
import { randomInt, randomUUID } from 'node:crypto'
import { NodeError, type ConnectorAdapter } from '@carepath/dsl'
import { exchange, statusFailure, type FetchLike } from '../http/fetch-with-timeout.ts'
import type { PayerSettings } from '../settings.schema.ts'
import { eligibilityInquirySchema } from './eligibility.schema.ts'
import { buildEligibilityRequest, readEligibilityResponse } from './fhir-eligibility.ts'
import { build270 } from './x12-270.ts'
import { read271 } from './x12-271.ts'

export interface PayerAdapterDeps {
  fetch?: FetchLike
  now?: () => Date
}

export function createPayerAdapter(
  payers: Record<string, PayerSettings>,
  deps: PayerAdapterDeps = {},
): ConnectorAdapter {
  const fetchImpl = deps.fetch ?? fetch
  const now = deps.now ?? (() => new Date())
  return async (raw) => {
    const parsed = eligibilityInquirySchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The eligibility inquiry is malformed.', { code: 'invalid-request', retryable: false })
    const inquiry = parsed.data
    const payer = Object.hasOwn(payers, inquiry.payer) ? payers[inquiry.payer] : undefined
    if (!payer)
      throw new NodeError(`No payer named "${inquiry.payer}" is configured for this environment.`, {
        code: 'not-configured',
        retryable: false,
      })
    const at = now()

    if (inquiry.format === 'x12') {
      if (!payer.x12)
        throw new NodeError(`The payer "${inquiry.payer}" has no X12 endpoint configured.`, {
          code: 'not-configured',
          retryable: false,
        })
      const built = build270(
        inquiry,
        payer.x12,
        { controlNumber: randomInt(1, 999_999_999), trace: randomUUID().replaceAll('-', '').slice(0, 30) },
        at,
      )
      const answer = await exchange(
        fetchImpl,
        payer.x12.url,
        { method: 'POST', headers: { 'content-type': 'application/edi-x12', ...payer.x12.headers }, body: built.text },
        payer.timeoutMs,
        'the payer',
      )
      if (answer.status !== 200) throw statusFailure('the payer', 'payer', answer)
      return read271(answer.text, { strict: payer.x12.strict, trace: built.trace, serviceType: inquiry.serviceType })
    }

    if (!payer.fhir)
      throw new NodeError(`The payer "${inquiry.payer}" has no FHIR endpoint configured.`, {
        code: 'not-configured',
        retryable: false,
      })
    const requestId = randomUUID()
    const request = buildEligibilityRequest(
      inquiry,
      { payerId: payer.x12?.payerId ?? inquiry.payer, payerName: payer.x12?.payerName ?? inquiry.payer, requestId },
      at,
    )
    const url = `${payer.fhir.baseUrl.replace(/\/+$/, '')}/CoverageEligibilityRequest/$submit`
    const answer = await exchange(
      fetchImpl,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...payer.fhir.headers },
        body: JSON.stringify(request),
      },
      payer.timeoutMs,
      'the payer',
    )
    if (answer.status !== 200) throw statusFailure('the payer', 'payer', answer)
    let body: unknown
    try {
      body = JSON.parse(answer.text)
    } catch {
      throw new NodeError("The payer's answer is not JSON.", { code: 'invalid-response', retryable: false })
    }
    return readEligibilityResponse(body, requestId)
  }
}

import { phiReference } from '../audit/decision-why.ts'

/**
 * How a wait.event correlation key is stored and looked up (`event_waits.key`, `inbound_events.key`):
 * a keyed hash, since an appointment id or a phone number may identify a patient.
 */
export const correlationRef = (secret: string, key: string): string => phiReference(secret, key)

// HL7 table 0357 (message error condition codes), the values an ACK's ERR segment names, with
// the text the table gives each. The ACK codes them as a CWE/CE: `code^text^HL70357`.

export const HL7_ERROR_TEXT = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '207': 'Application internal error',
} as const

/** A table 0357 code this receiver uses. */
export type Hl7ErrorCode = keyof typeof HL7_ERROR_TEXT

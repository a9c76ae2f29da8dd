// What an outbound message may carry. Each channel has a ceiling of PHI classes; every fact a
// message template names is looked up in the flow's facts schema and refused above the ceiling
// (unclassified facts are refused too: fail closed). An SMS never carries a diagnosis.
import {
  FACT_PATH_SYNTAX,
  phiClassAt,
  type ConfigProblem,
  type FactSchema,
  type JsonValue,
  type PhiClass,
} from '@carepath/dsl'

export const CHANNELS = ['log', 'email', 'sms'] as const
export type Channel = (typeof CHANNELS)[number]

/** The classes each channel may carry in its text. Logs carry no patient data at all. */
export const CHANNEL_PHI: Record<Channel, readonly PhiClass[]> = {
  log: ['none'],
  sms: ['none', 'demographic'],
  email: ['none', 'identifier', 'demographic', 'coverage', 'financial'],
}

const PLACEHOLDER = new RegExp(`\\{\\{\\s*(${FACT_PATH_SYNTAX})\\s*\\}\\}`, 'g')

/** Fact paths named by `{{path}}` placeholders, in order, without duplicates. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))]
}

/** The placeholders a channel may not carry, with the reason (names and classes only, no values). */
export function contentProblems(
  channel: Channel,
  templates: { path: string; text: string }[],
  schema: FactSchema,
): ConfigProblem[] {
  const allowed = CHANNEL_PHI[channel]
  return templates.flatMap(({ path, text }) =>
    placeholders(text).flatMap((fact): ConfigProblem[] => {
      const phi = phiClassAt(schema, fact)
      if (phi !== undefined && allowed.includes(phi)) return []
      const what = phi === undefined ? 'unclassified data' : `${phi} data`
      return [
        { code: 'phi-not-allowed', path, message: `{{${fact}}} is ${what}, which a ${channel} message may not carry.` },
      ]
    }),
  )
}

/** Fill `{{path}}` placeholders with scalar fact values (absent → empty). */
export function fill(template: string, get: (path: string) => JsonValue | undefined): string | { badPath: string } {
  let badPath: string | undefined
  const text = template.replace(PLACEHOLDER, (_, path: string) => {
    const value = get(path)
    if (value === undefined || value === null) return ''
    if (typeof value === 'object') {
      badPath ??= path
      return ''
    }
    return String(value)
  })
  return badPath === undefined ? text : { badPath }
}

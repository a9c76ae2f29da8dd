import { z } from 'zod'
import { defineNodeType, NodeError, PHI_CLASSES } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { parseHl7OrFail } from '../hl7-parse/hl7-parse.node.ts'

export const triggerHl7ConfigSchema = z
  .object({
    senders: z
      .array(
        z
          .string()
          .regex(/^[^|^~\\&\r\n]+(\^[^|^~\\&\r\n]+)?$/, 'an application, or application^facility, as in MSH-3/MSH-4'),
      )
      .default([])
      .describe('Accepted senders: MSH-3 sending application, optionally ^ MSH-4 facility. Empty accepts any sender.'),
    messageTypes: z
      .array(z.string().regex(/^[A-Z0-9]{3}(\^([A-Z0-9]{3}|\*))?$/, 'a message type such as ADT^A04, ADT^* or ORU'))
      .min(1)
      .describe(
        'Accepted message types (MSH-9): ADT^A04, SIU^S12, ORU^* ... Other messages are refused with an AR acknowledgement.',
      ),
    rawFrom: factPathSchema.default('inbound.raw').describe('Where the runtime puts the raw message in the run input.'),
    into: factPathSchema.default('message').describe('Where the parsed message goes.'),
  })
  .strict()
export type TriggerHl7Config = z.infer<typeof triggerHl7ConfigSchema>

/** Whether a trigger takes a message from this sender (MSH-3, MSH-4) of this type (`ADT^A04`). */
export function hl7TriggerAccepts(
  config: TriggerHl7Config,
  message: { sendingApplication: string; sendingFacility: string; type: string },
): boolean {
  const senderOk =
    config.senders.length === 0 ||
    config.senders.some((sender) => {
      const [application, facility] = sender.split('^')
      return (
        application === message.sendingApplication && (facility === undefined || facility === message.sendingFacility)
      )
    })
  const [code, event] = message.type.split('^')
  const typeOk = config.messageTypes.some((accepted) => {
    const [acceptedCode, acceptedEvent] = accepted.split('^')
    return acceptedCode === code && (acceptedEvent === undefined || acceptedEvent === '*' || acceptedEvent === event)
  })
  return senderOk && typeOk
}

/**
 * Entry point for HL7 v2 messages arriving over MLLP or HTTP. The runtime stores the raw message,
 * acknowledges it (AA/AE/AR) and starts the run with the raw text at `rawFrom`; this node parses it.
 */
export const triggerHl7 = defineNodeType({
  type: 'trigger.hl7',
  typeVersion: 1,
  title: 'HL7 v2 message',
  description: 'Starts a run when an accepted sender sends an accepted HL7 v2 message type (over MLLP or HTTP).',
  category: 'Trigger',
  icon: '⇶',
  keywords: ['hl7', 'mllp', 'adt', 'inbound', 'interface', 'start'],
  trigger: true,
  config: triggerHl7ConfigSchema,
  defaults: { senders: [], messageTypes: ['ADT^A04'], rawFrom: 'inbound.raw', into: 'message' },
  ports: () => [{ name: 'next', required: true, title: 'Received' }],
  reads: (config) => [config.rawFrom],
  writes: (config) => [config.into],
  phi: PHI_CLASSES.filter((phi) => phi !== 'none'), // a v2 message can carry any class of patient data
  connectors: [], // calls no connector
  execute(ctx, config) {
    const facts = parseHl7OrFail(ctx.get(config.rawFrom))
    // The listener already refused these with AR; a run started another way is held to the same rule.
    if (!hl7TriggerAccepts(config, facts)) {
      throw new NodeError(`This flow does not accept ${facts.type} messages from this sender.`, {
        code: 'not-accepted',
        retryable: false,
      })
    }
    return { kind: 'next', port: 'next', set: { [config.into]: facts } }
  },
})

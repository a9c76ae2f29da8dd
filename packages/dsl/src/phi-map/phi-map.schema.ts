// The PHI touchpoint map of one flow version, as data: every place a class of patient data
// enters, is read, written, sent out or shown. One flat list of touchpoints is the source of
// truth (exports, diff and the designer's table read it); the per-class summary is derived.
import { z } from 'zod'
import { phiClassSchema } from '../phi.ts'

/** Whether a channel to an outside system is encrypted, as far as the installation's settings say. */
export const encryptionSchema = z.enum(['yes', 'no', 'unknown'])
/** `unknown` when the settings are not at hand (designer, CLI) or do not say. */
export type Encryption = z.infer<typeof encryptionSchema>

/** Where a node's data goes when it calls a connector: the system, the channel and its protection. */
export const phiEndpointSchema = z
  .object({
    /** A plain name: `FHIR server`, `SMS gateway`, `payer acme`, `HL7 destination lab-east`. */
    system: z.string().min(1),
    /** How it travels: `fhir`, `sms`, `email`, `x12`, `mllp`, `http`. */
    channel: z.string().min(1),
    /** Host (and port) from the settings, when known; never credentials or paths with ids. */
    endpoint: z.string().optional(),
    /** Outside this installation (everything but the internal log). */
    outside: z.boolean(),
    /** Messages reach the patient directly (SMS, email to a patient address). */
    patientFacing: z.boolean(),
    encrypted: encryptionSchema,
    /** Why `encrypted` says what it says, in plain words (`https URL`, `MLLP without TLS`). */
    encryptionNote: z.string(),
  })
  .strict()
/** An outside system a node sends data to. */
export type PhiEndpoint = z.infer<typeof phiEndpointSchema>

/** The kinds of touchpoint, in the order tables list them. */
export const TOUCH_KINDS = ['enters', 'read', 'written', 'sent', 'shown', 'may-see'] as const
/** A kind of touchpoint (see TouchKind). */
export const touchKindSchema = z.enum(TOUCH_KINDS)
/** enters: arrives in the run; read/written: a node uses it; sent: leaves for a system; shown: a human step shows it; may-see: a queue is allowed it. */
export type TouchKind = z.infer<typeof touchKindSchema>

/** How PHI enters a run. */
export const ENTRY_SOURCES = ['run input', 'trigger', 'connector response', 'human answer'] as const
/** How PHI enters a run (see ENTRY_SOURCES). */
export const entrySourceSchema = z.enum(ENTRY_SOURCES)
/** How PHI enters a run. */
export type EntrySource = z.infer<typeof entrySourceSchema>

/** One touchpoint: a PHI class meeting a node, a system or a queue. */
export const phiTouchpointSchema = z
  .object({
    phiClass: phiClassSchema,
    kind: touchKindSchema,
    /** The node, absent for a queue's `may-see` and the run input. */
    nodeId: z.string().optional(),
    /** The node's title (or its type's title), the queue's title, or `Run input`. */
    where: z.string(),
    /** The fact paths of this class involved, sorted. */
    facts: z.array(z.string()),
    source: entrySourceSchema.optional(),
    endpoint: phiEndpointSchema.optional(),
    /** The flow role (work queue) of a human step or a `may-see` row. */
    queue: z.string().optional(),
    /**
     * On a `shown` or `may-see` row: the flow asks for this class, but the queue's PHI clearance
     * (set by the installation's admin) withholds it, so the queue's people see it hidden. Absent
     * when the clearance lets it through, or when the map was built without the installation's
     * clearances (a flow file on its own): such a map says what the flow asks for.
     */
    withheld: z.literal(true).optional(),
  })
  .strict()
/** One row of the map. */
export type PhiTouchpoint = z.infer<typeof phiTouchpointSchema>

/** Everything known about one class, derived from the touchpoints. */
export const phiClassSummarySchema = z
  .object({
    phiClass: phiClassSchema,
    enters: z.array(z.string()),
    readBy: z.array(z.string()),
    writtenBy: z.array(z.string()),
    sentTo: z.array(z.string()),
    shownIn: z.array(z.string()),
    /** Queues whose people see it: a queue whose clearance withholds it is not counted. */
    queues: z.array(z.string()),
    /** Product roles that see it in this flow's runs (agents working those queues). */
    productRoles: z.array(z.string()),
    /**
     * Where the flow asks for it and a queue's clearance withholds it, one sentence each
     * ("asked for by the front-desk step “Confirm the visit”, withheld by the front-desk queue's
     * clearance"). Absent when nothing is withheld, so maps built before clearances still parse.
     */
    withheld: z.array(z.string()).optional(),
  })
  .strict()
/** Everything known about one class. */
export type PhiClassSummary = z.infer<typeof phiClassSummarySchema>

/** The map of one flow version. */
export const phiMapSchema = z
  .object({
    flowId: z.string(),
    version: z.number().int(),
    title: z.string(),
    classes: z.array(phiClassSummarySchema),
    touchpoints: z.array(phiTouchpointSchema),
    /** Nodes whose type is not installed or whose config does not parse: left out, by id. */
    unmapped: z.array(z.string()),
    /**
     * Whether an installation's queue clearances were applied (its `withheld` rows say what they
     * hide). False for a flow file mapped on its own: a row shown to a queue then assumes the queue
     * is cleared for its class. Absent in maps built before clearances, read as false.
     */
    clearancesApplied: z.boolean().optional(),
  })
  .strict()
/** The PHI touchpoint map of a flow version. */
export type PhiMap = z.infer<typeof phiMapSchema>

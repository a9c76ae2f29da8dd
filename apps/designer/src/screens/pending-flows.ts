// New flows not yet saved: the runtime stores only valid documents, so a new flow is created
// on its first successful save.
import type { FlowDocument } from '@carepath/dsl'

export const pendingFlows = new Map<string, FlowDocument>()

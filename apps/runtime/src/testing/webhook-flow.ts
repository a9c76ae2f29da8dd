// A flow of the catalog's nodes that a signed webhook starts: the delivery's body lands in the
// facts under `webhook` (its event, and an order id that is an identifier), and the run ends at once.
import type { FlowDocument } from '@carepath/dsl'

export function webhookFlow(hook: { id: string; title: string; path: string; secret: string }): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: hook.id,
    version: 1,
    title: hook.title,
    facts: {
      type: 'object',
      properties: {
        webhook: {
          type: 'object',
          properties: {
            event: { type: 'string', 'x-phi': 'none' },
            orderId: { type: 'string', 'x-phi': 'identifier' },
          },
        },
      },
    },
    roles: {},
    start: 'hook',
    nodes: {
      hook: {
        type: 'trigger.webhook',
        typeVersion: 1,
        // `secret` names the installation's webhook secret (the server's setting), not the secret itself.
        config: { path: hook.path, secret: hook.secret, toleranceSeconds: 300, into: 'webhook' },
        next: { next: 'done' },
      },
      done: { type: 'end', typeVersion: 1, config: { outcome: 'received' }, next: {} },
    },
  }
}

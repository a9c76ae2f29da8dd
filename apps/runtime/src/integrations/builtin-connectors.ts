// The adapters of the connectors the built-in node types declare. The declarations and their
// settings schemas are the node package's; the adapters do network and mail I/O, which the
// packages under packages/ may not, so the runtime supplies them and composes them like any
// installed package's connectors.
import { definePlugin, provideConnector, type ConnectorContribution } from '@carepath/dsl'
import {
  builtinNodeTypes,
  crmConnector,
  fhirConnector,
  httpConnector,
  notifyConnector,
  payerConnector,
} from '@carepath/nodes'
import { createCrmAdapter } from './crm/crm.adapter.ts'
import { createFhirAdapter } from './fhir/fhir.adapter.ts'
import { createHttpAdapter } from './http/http.adapter.ts'
import { createNotifyAdapter } from './notify/notify.adapter.ts'
import { createPayerAdapter } from './payer/payer.adapter.ts'

/** `fhir`, `payer`, `http`, `notify` and `crm`, each built from its parsed settings. */
export const builtinConnectors: readonly ConnectorContribution[] = [
  provideConnector(fhirConnector, (settings, deps) => createFhirAdapter(settings, deps.fetch)),
  provideConnector(payerConnector, (payers, deps) =>
    createPayerAdapter(payers, { fetch: deps.fetch, ...(deps.now ? { now: deps.now } : {}) }),
  ),
  provideConnector(httpConnector, (settings, deps) =>
    createHttpAdapter(settings.allowHosts, { fetch: deps.fetch, ...(deps.sleep ? { sleep: deps.sleep } : {}) }),
  ),
  provideConnector(notifyConnector, (settings, deps) =>
    createNotifyAdapter(settings, {
      fetch: deps.fetch,
      ...(deps.logSink ? { logSink: deps.logSink } : {}),
      ...(deps.trustedCa ? { trustedCa: deps.trustedCa } : {}),
    }),
  ),
  provideConnector(crmConnector, (settings, deps) =>
    createCrmAdapter(settings, {
      fetch: deps.fetch,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    }),
  ),
]

/** The built-in package as the runtime installs it: its node types with their connectors' adapters. */
export const builtinPlugin = definePlugin({
  name: '@carepath/nodes',
  nodeTypes: builtinNodeTypes,
  connectors: builtinConnectors,
})

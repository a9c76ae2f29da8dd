// The node types this designer knows: the installation's one registry, shared with the runtime.
export { registry } from '@carepath/catalog'

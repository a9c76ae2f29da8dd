// The node types this designer knows: the built-in package plus the extension packages the
// installation's config lists (the same config `carepath serve` reads), composed once.
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { plugins } from 'virtual:carepath-plugins'

/** The designer's registry: palette, inspector schemas and live validation all read it. */
export const registry = composeCatalog([builtinPlugin, ...plugins]).registry

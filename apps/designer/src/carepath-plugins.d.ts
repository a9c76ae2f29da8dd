// The module vite-plugin-carepath.ts generates from the installation's config.
declare module 'virtual:carepath-plugins' {
  import type { CarepathPlugin } from '@carepath/dsl'
  /** The configured extension packages' plugins, in config order. */
  export const plugins: readonly CarepathPlugin[]
}

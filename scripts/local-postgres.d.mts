// Types for scripts/local-postgres.mjs (plain JavaScript, so `npm test` needs nothing but Node),
// for the test that drives it.

/** What a command run gave: its exit status and output. */
export interface CommandResult {
  status: number | null
  stdout?: string
  stderr?: string
}

/** Start the local cluster when installed and down, wait until it answers; a sentence saying what was done. */
export function ensureLocalPostgres(options?: {
  env?: Record<string, string | undefined>
  run?: (command: string, args: string[], options?: object) => CommandResult
  exists?: (path: string) => boolean
  isRoot?: boolean
}): string

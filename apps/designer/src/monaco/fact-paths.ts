// The fact paths Monaco offers for completion (the open flow's facts schema). Kept apart from
// monaco-setup so setting them does not pull Monaco into the first bundle.
let factPaths: readonly string[] = []

export function setFactPaths(paths: readonly string[]): void {
  factPaths = paths
}

export function getFactPaths(): readonly string[] {
  return factPaths
}

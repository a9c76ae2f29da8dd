// What leaving an editor would throw away, in the words of the question asked first. The flow and
// its test cases are saved together but kept apart (the suite store), and either alone is work.

/** The question to ask before leaving, or null when nothing unsaved would be lost. */
export function leaveQuestion(state: { flowDirty: boolean; casesDirty: boolean; readOnly: boolean }): string | null {
  if (state.readOnly) return null
  if (state.flowDirty && state.casesDirty)
    return 'This flow and its test cases have unsaved changes. Leave without saving them?'
  if (state.flowDirty) return 'This flow has unsaved changes. Leave without saving them?'
  if (state.casesDirty) return 'The test cases of this flow have unsaved changes. Leave without saving them?'
  return null
}

// How the test cases saved with one version differ from another's, case by case: a case is the
// same case when its id is, and changed when anything in it (input, mocks, expectation, name)
// differs. The review lists them by name, so a reviewer sees which expectations moved with the flow.
import { canonicalJson, jsonValueSchema } from '@carepath/dsl'
import type { TestCase } from '../../suites/suite.store.ts'

export interface SuiteChanges {
  added: string[]
  removed: string[]
  changed: string[]
}

/** The cases `after` adds, removes and changes against `before`, by name, in `after`'s (then `before`'s) order. */
export function suiteChanges(before: readonly TestCase[], after: readonly TestCase[]): SuiteChanges {
  const earlier = new Map(before.map((c) => [c.id, c]))
  const later = new Set(after.map((c) => c.id))
  // A case came from a suite file: JSON by construction, read back as JSON to be compared as text.
  const text = (c: TestCase) => canonicalJson(jsonValueSchema.parse(c))
  return {
    added: after.filter((c) => !earlier.has(c.id)).map(caseName),
    removed: before.filter((c) => !later.has(c.id)).map(caseName),
    changed: after
      .filter((c) => {
        const was = earlier.get(c.id)
        return was !== undefined && text(was) !== text(c)
      })
      .map(caseName),
  }
}

const caseName = (c: TestCase) => c.name ?? c.id

/** Whether nothing changed. */
export const noSuiteChanges = (changes: SuiteChanges) =>
  changes.added.length + changes.removed.length + changes.changed.length === 0

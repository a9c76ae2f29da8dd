// Types for scripts/test-all.mjs (plain JavaScript, so `npm test` needs nothing but Node), for the
// test that drives it.

/** A root package.json script that `test:all` runs as one stage. */
export interface StageScript {
  name: string
  script: string
}

/** One stage to run: a display name, the command line (file, then arguments), how to show it. */
export interface Stage {
  name: string
  command: string[]
  label?: string
}

/** How a stage ended; `why` says what failed (exit code, signal, spawn error). */
export interface StageResult {
  name: string
  passed: boolean
  seconds: number
  why?: string
}

/** The stages `test:all` runs, in order: lint, typecheck, unit and integration, browser end-to-end. */
export declare const STAGES: readonly StageScript[]

/** Runs every stage to its end, whatever the ones before did, and writes the summary. */
export declare function runStages(
  stages: readonly Stage[],
  options?: { write?: (text: string) => void; cwd?: string; notes?: () => string[] },
): StageResult[]

/** The closing report: one line per stage with PASS or FAIL and its duration, any notes, then the verdict. */
export declare function summary(results: readonly StageResult[], notes?: readonly string[]): string

/** The part of vitest's JSON report the PostgreSQL line reads. */
export interface VitestReport {
  testResults: {
    name: string
    status?: string
    message?: string
    assertionResults?: { status: string; title?: string; ancestorTitles?: string[]; failureMessages?: string[] }[]
  }[]
}

/** The summary's lines naming the failed tests (none when every test passed or there is no report). */
export declare function failedTestsNotes(
  report: VitestReport | undefined,
  options?: { root?: string; limit?: number },
): string[]

/** Whether the PostgreSQL tests (files ending .pg.test.ts) ran, or how many did not: one sentence for the summary. */
export declare function postgresNote(report: VitestReport | undefined): string

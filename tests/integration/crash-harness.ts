// Shared by the kill -9 tests: start a child Node process (TypeScript through tsx) that prints
// `READY <value>` once it is up, and kill it hard. Tests wait on that line, never on a duration.
import { spawn, type ChildProcess } from 'node:child_process'
import { waitUntil } from '@carepath/runtime/testing'

/** A started child and what it printed after READY (a URL, a port, or nothing). */
export interface StartedChild {
  proc: ChildProcess
  ready: string
  /** Everything the child wrote to stderr so far (its log lines). */
  stderr(): string
}

/** Spawn `script` with `args`; resolves once it prints READY, rejects if it exits first. */
export async function startChild(script: string, args: string[], running: ChildProcess[]): Promise<StartedChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(proc)
  let out = ''
  let err = ''
  proc.stdout!.on('data', (d: Buffer) => (out += String(d)))
  proc.stderr!.on('data', (d: Buffer) => (err += String(d)))
  await waitUntil(() => /READY ?\S*/.test(out) || proc.exitCode !== null, 'the child process to start')
  const ready = /READY ?(\S*)/.exec(out)
  if (!ready) throw new Error(`child exited (${proc.exitCode}): ${err}`)
  return { proc, ready: ready[1] ?? '', stderr: () => err }
}

/** kill -9, and wait until the process is gone. */
export async function killHard(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGKILL')
  await exited
}

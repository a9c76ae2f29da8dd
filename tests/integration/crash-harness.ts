// Shared by the kill -9 tests: start a child Node process (TypeScript through tsx) that prints
// `READY <value>` once it is up, and kill it hard. Tests wait on that line, never on a duration.
import { spawn, type ChildProcess } from 'node:child_process'
import type { FlowDocument } from '@carepath/dsl'
import type { Runtime, UserRole } from '@carepath/runtime'
import { passwordOnly, waitUntil } from '@carepath/runtime/testing'

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

/**
 * A child runtime's first start: an analyst, a reviewer and the `extra` roles (each named after
 * its role, logging in with `password` alone), and `flows` published by the two of them (four
 * eyes). A restart on the same data finds the people and does nothing.
 */
export async function seedPublished(
  runtime: Runtime,
  flows: readonly FlowDocument[],
  options: { password: string; extra: readonly ('agent' | 'operator')[]; agentQueues?: string[] },
): Promise<void> {
  if ((await runtime.auth.userCount()) > 0) return
  const system = { who: 'test', role: 'system' }
  const people = new Map<string, { userId: string; username: string; role: UserRole; flowRoles: string[] }>()
  for (const role of ['analyst', 'reviewer', ...options.extra] as const) {
    const flowRoles = role === 'agent' ? (options.agentQueues ?? []) : []
    const added = await runtime.auth.addUser({ username: role, password: options.password, role, flowRoles }, system)
    people.set(role, { userId: added.id, username: role, role, flowRoles })
  }
  await passwordOnly(runtime, [...people.keys()])
  const analyst = people.get('analyst')!
  const reviewer = people.get('reviewer')!
  for (const doc of flows) {
    const { hash } = await runtime.flowService.create(doc, analyst)
    await runtime.review.submit(doc.id, analyst)
    await runtime.review.approve(doc.id, hash, 'ok', reviewer)
    await runtime.review.publish(doc.id, hash, reviewer)
  }
}

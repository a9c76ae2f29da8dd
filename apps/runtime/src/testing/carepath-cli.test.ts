import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCarepathCli, runNodeBounded } from './carepath-cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-cli-helper-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('runCarepathCli', () => {
  it('gives a command’s exit code and output', async () => {
    const result = await runCarepathCli(['no-such-command'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/no-such-command/)
  })

  it('stops a command still running at the ceiling and says where it stood', async () => {
    // `serve` never ends by itself: the stand-in for a command that hangs. The ceiling counts from
    // its start-up line, so it always finds the server in its event loop, however slow the machine.
    const stuck = runCarepathCli(['serve', '--port', '0', '--data', join(dir, 'data')], {
      ceilingMs: 500,
      ceilingFrom: /is running at/,
    })
    await expect(stuck).rejects.toThrow(
      /`carepath serve .*` was still running after 0.5 s; (its JavaScript stack|it was idle in its event loop|it wrote no diagnostic report)/,
    )
  })
})

describe('runNodeBounded', () => {
  it('says a process idle in its event loop waits on its open handles', async () => {
    const script = "setInterval(() => {}, 60_000); console.log('waiting')"
    const stuck = runNodeBounded(['-e', script], 'an idle script', { ceilingMs: 500, ceilingFrom: /waiting/ })
    await expect(stuck).rejects.toThrow(
      /`an idle script` was still running after 0.5 s; it was idle in its event loop \(no JavaScript running\), waiting on\nactive handles: .*timer/,
    )
  })

  it('says which threads wait on what when the main thread is blocked outside JavaScript', async () => {
    // Atomics.wait never returns here: the way a module loader's deadlock leaves a process.
    const script = "console.log('blocking'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)"
    const stuck = runNodeBounded(['-e', script], 'a blocked script', { ceilingMs: 500, ceilingFrom: /blocking/ })
    await expect(stuck).rejects.toThrow(
      /`a blocked script` was still running after 0.5 s; it wrote no diagnostic report \(its main thread is blocked outside JavaScript\); its threads wait on: node: /,
    )
  })

  it('lets a command that ends before its ceiling starts give its result', async () => {
    const done = await runNodeBounded(['-e', "console.log('ends'); process.exitCode = 3"], 'a short script', {
      ceilingMs: 500,
      ceilingFrom: /never printed/,
    })
    expect(done).toEqual({ status: 3, stdout: 'ends\n', stderr: '' })
  })
})

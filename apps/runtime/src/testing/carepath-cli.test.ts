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
    // `serve` never ends by itself: the stand-in for a command that hangs.
    const stuck = runCarepathCli(['serve', '--port', '0', '--data', join(dir, 'data')], { ceilingMs: 2_000 })
    await expect(stuck).rejects.toThrow(
      /`carepath serve .*` was still running after 2 s; (its JavaScript stack|it was idle in its event loop)[^]*active handles: /,
    )
  })
})

describe('runNodeBounded', () => {
  it('says which threads wait on what when the main thread is blocked outside JavaScript', async () => {
    // Atomics.wait never returns here: the way a module loader's deadlock leaves a process.
    const script = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)'
    const stuck = runNodeBounded(['-e', script], 'a blocked script', { ceilingMs: 1_000 })
    await expect(stuck).rejects.toThrow(
      /`a blocked script` was still running after 1 s; it wrote no diagnostic report \(its main thread is blocked outside JavaScript\); its threads wait on: node: /,
    )
  })
})

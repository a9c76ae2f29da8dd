// kill -9 of a runtime while a sender pipelines ADT messages at it over MLLP: messages are being
// received, stored, routed and committed in groups when the process dies. Every message
// acknowledged AA before the kill has its run after the restart; messages stored but never
// answered get theirs from the restart (no ACK: that connection is gone), and the sender's resend
// of everything is then answered AA with no second run of any message. The audit chain verifies.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitUntil } from '@carepath/runtime/testing'
import { mllpFrame, MllpFramer } from '../../apps/runtime/src/integrations/hl7/mllp-framer.ts'
import { killHard, startChild } from './crash-harness.ts'

const child = join(import.meta.dirname, 'integrations-hl7-intake-crash-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-hl7-intake-crash-'))
const running: ChildProcess[] = []
afterAll(async () => {
  for (const proc of running) await killHard(proc)
  rmSync(dataDir, { recursive: true, force: true })
})

const COUNT = 600
const template = readFileSync(join(import.meta.dirname, '../../examples/samples/hl7/simplehl7_adt.hl7'), 'utf8')
  .trim()
  .replace(/\r?\n/g, '\r')
const ids = Array.from({ length: COUNT }, (_, i) => `KILL${i + 1}`)
const framed = ids.map((id) => mllpFrame(template.replace('|1817457|', `|${id}|`)))
const frames = Buffer.concat(framed)
const msaOf = (ack: string) =>
  ack
    .split('\r')
    .find((s) => s.startsWith('MSA|'))!
    .split('|')

/**
 * Messages pipelined on one connection (`first`, or all of them); `onAck` sees each ACK's (code,
 * control id) as it arrives and may `send` more. Resolves with them all when the connection
 * closes (the server answered all, or died).
 */
function pipelineAll(
  port: number,
  onAck: (acks: string[][], send: (more: Buffer) => void) => void,
  first: Buffer = frames,
): Promise<string[][]> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const framer = new MllpFramer()
    const acks: string[][] = []
    const send = (more: Buffer) => void (socket.writable && socket.write(more))
    socket.on('connect', () => socket.write(first))
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk))
        if (event.kind === 'frame') {
          const [, code = '', controlId = ''] = msaOf(event.payload.toString('utf8'))
          acks.push([code, controlId])
        }
      onAck(acks, send)
      if (acks.length === COUNT) socket.end()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(acks))
  })
}

describe('kill -9 while pipelined HL7 messages are being committed', () => {
  it('loses no acknowledged message, starts the rest on restart, and starts none twice', async () => {
    const first = await startChild(child, [dataDir, 'serve'], running)
    let killed: Promise<void> | undefined
    // Half the stream first; once 40 are acknowledged the process is killed while the rest of
    // that half is stored, routed or committing, and the second half is sent after the kill, so
    // however fast the machine, the kill lands before the stream's end.
    const half = COUNT / 2
    const beforeKill = await pipelineAll(
      Number(first.ready),
      (acks, send) => {
        if (killed || acks.length < 40) return
        killed = killHard(first.proc)
        send(Buffer.concat(framed.slice(half)))
      },
      Buffer.concat(framed.slice(0, half)),
    )
    await killed
    const acknowledged = beforeKill.filter(([code]) => code === 'AA').map(([, id]) => id)
    expect(beforeKill.every(([code]) => code === 'AA')).toBe(true)
    expect(acknowledged.length).toBeGreaterThanOrEqual(40)
    expect(acknowledged.length).toBeLessThan(COUNT) // the kill came in the middle of the stream

    // Restarted: stored messages never answered get their runs; the sender sends everything again.
    const second = await startChild(child, [dataDir, 'serve'], running)
    const resent = await pipelineAll(Number(second.ready), () => {})
    expect(resent).toEqual(ids.map((id) => ['AA', id]))
    await killHard(second.proc)

    const report = await startChild(child, [dataDir, 'report'], running)
    await waitUntil(() => report.stderr().includes('RUNS '), 'the report of stored runs')
    const line = report
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('RUNS '))!
    const { keys, auditIntact } = JSON.parse(line.slice(5)) as { keys: string[]; auditIntact: boolean }
    const started = keys.map((key) => /:([^:]+):adt-registration-hl7$/.exec(key)?.[1])
    // One run per message, no more: acknowledged ones kept, the rest started once.
    expect([...started].sort()).toEqual([...ids].sort())
    for (const id of acknowledged) expect(started).toContain(id)
    expect(auditIntact).toBe(true)
    await killHard(report.proc)
  })
})

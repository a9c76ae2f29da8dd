// Child process for integrations-hl7-out-crash.test.ts: a runtime whose hl7.send queue has two
// destinations. `enqueue` stores the hl7out settings and queues `count` messages per destination
// (delivery starts at once); `resume` only opens the runtime again, which resumes every queue from
// the database. Prints READY when done, then keeps delivering until it is killed.
import { createRuntime } from '@carepath/runtime'

const [dataDir, mode, portA, portB, count] = process.argv.slice(2)
if (!dataDir || (mode !== 'enqueue' && mode !== 'resume')) throw new Error('usage: <dataDir> enqueue|resume ...')

const runtime = await createRuntime({ dataDir })
if (mode === 'enqueue') {
  const destination = (port: string | undefined) => ({
    host: '127.0.0.1',
    port: Number(port),
    // The receiver holds one ACK until this process is killed: no attempt may time out first.
    ackTimeoutMs: 120_000,
    retryBackoffMs: 20,
    maxBackoffMs: 200,
    waitMs: 0,
  })
  await runtime.integrations.set(
    { hl7out: { destinations: { 'lab-a': destination(portA), 'lab-b': destination(portB) } } },
    { who: 'test', role: 'system' },
  )
  for (let i = 1; i <= Number(count); i++) {
    for (const name of ['lab-a', 'lab-b']) {
      const controlId = `${name}-${String(i).padStart(4, '0')}`
      await runtime.hl7Outbound.adapter(
        {
          destination: name,
          controlId,
          messageType: 'ORU^R01',
          message: `MSH|^~\\&|CAREPATH||LAB||20260301000000||ORU^R01|${controlId}|P|2.5.1\rPID|1||MRN${i}\r`,
        },
        { runId: `run-${i}`, nodeId: 'send', attempt: 1 },
      )
    }
  }
}
console.log('READY')

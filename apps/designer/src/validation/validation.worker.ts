// The validation worker: builds the document from the graph the editor sends and checks it with
// a per-node cache, so a big flow's checking never holds up a drag or a pan.
import { createRequestChecker, type CheckReply, type CheckRequest } from './check-request.ts'

const check = createRequestChecker()

self.onmessage = (event: MessageEvent<CheckRequest>) => {
  const reply: CheckReply = check(event.data)
  self.postMessage(reply)
}

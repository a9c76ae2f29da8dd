// A notice's id sorts in the order notices were made: two notices can carry the same time (the
// clock's resolution, a test's fixed clock), and an inbox lists them newest first without an
// insertion counter in the database (no `rowid` on PostgreSQL). The time comes first, then a
// counter of this process, then random bits so that two processes never make the same id.
import { randomBytes } from 'node:crypto'

let lastTime = -1
let counter = 0

export function orderedNoticeId(at: Date): string {
  const time = at.getTime()
  counter = time === lastTime ? counter + 1 : 0
  lastTime = time
  return `${time.toString(36).padStart(9, '0')}-${counter.toString(36).padStart(4, '0')}-${randomBytes(8).toString('hex')}`
}

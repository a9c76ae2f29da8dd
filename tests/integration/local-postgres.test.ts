// Starting the local PostgreSQL for `npm test`, with the commands it runs answered by the test: a
// cluster that replays its log after an unclean shutdown is waited for before root's role is
// made, and one that never answers is said so plainly.
import { describe, expect, it } from 'vitest'
import { ensureLocalPostgres, type CommandResult } from '../../scripts/local-postgres.mjs'

/** A fake machine: one cluster, down until started, answering pg_isready after `startupChecks` refusals. */
function machine(startupChecks: number) {
  const ran: string[] = []
  let status = 'down'
  let refusals = startupChecks
  const run = (command: string, args: string[]): CommandResult => {
    ran.push([command, ...args].join(' '))
    switch (command) {
      case 'pg_lsclusters':
        return { status: 0, stdout: `15 main 5432 ${status} postgres /var/lib/postgresql/15/main log\n` }
      case 'pg_ctlcluster':
        status = 'online'
        return { status: 0, stderr: '' }
      case 'pg_isready':
        return { status: refusals-- > 0 ? 2 : 0 }
      case 'su':
        // createuser on a server still starting up fails, as the real one does.
        return refusals >= 0 ? { status: 1, stderr: 'the database system is starting up' } : { status: 0, stderr: '' }
      default:
        return { status: 0 }
    }
  }
  const start = () => ensureLocalPostgres({ env: {}, run, exists: () => true, isRoot: true })
  return { ran, start }
}

describe('ensureLocalPostgres', () => {
  it('waits for a cluster still replaying its log before making the role', () => {
    const { ran, start } = machine(3)
    expect(start()).toBe('PostgreSQL: started the local cluster 15/main.')
    expect(ran.filter((c) => c.startsWith('pg_isready'))).toHaveLength(4)
    expect(ran.filter((c) => c === 'sleep 1')).toHaveLength(3)
    expect(ran.at(-1)).toBe('su postgres -c createuser -s root')
  })

  it('says so when the cluster never takes connections, and makes no role', () => {
    const { ran, start } = machine(Number.POSITIVE_INFINITY)
    expect(start()).toMatch(/^PostgreSQL: cluster 15\/main started but did not take connections within 300 checks/)
    expect(ran.some((c) => c.startsWith('su '))).toBe(false)
  })
})

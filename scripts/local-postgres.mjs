// Starting the local PostgreSQL for the tests (`npm test`): when CAREPATH_TEST_DATABASE_URL names
// a server, that one is used and nothing is started. Otherwise, on a Debian-style machine with
// PostgreSQL installed (pg_lsclusters), a cluster that is down is started and root is made a
// superuser role so the tests can connect over the local socket. Without PostgreSQL the tests that
// need it are skipped, and the test summary says so.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Start the local cluster when installed and down; returns a sentence saying what was done. */
export function ensureLocalPostgres({
  env = process.env,
  run = spawnSync,
  exists = existsSync,
  isRoot = typeof process.getuid === 'function' && process.getuid() === 0,
} = {}) {
  if (env.CAREPATH_TEST_DATABASE_URL) return 'PostgreSQL: using CAREPATH_TEST_DATABASE_URL.'
  if (!exists('/usr/bin/pg_lsclusters')) return 'PostgreSQL: not installed here; its tests will be skipped.'
  const listed = run('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
  const clusters = (listed.stdout ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([version, name, port, status]) => ({ version, name, port, status }))
  if (clusters.length === 0) return 'PostgreSQL: installed, but no cluster exists; its tests will be skipped.'
  const down = clusters.filter((c) => c.status.startsWith('down'))
  if (down.length > 0 && !isRoot)
    return `PostgreSQL: cluster ${down[0].version}/${down[0].name} is down and only root can start it here (pg_ctlcluster ${down[0].version} ${down[0].name} start).`
  for (const c of down) {
    const started = run('pg_ctlcluster', [c.version, c.name, 'start'], { encoding: 'utf8' })
    if (started.status !== 0)
      return `PostgreSQL: cluster ${c.version}/${c.name} did not start: ${started.stderr.trim()}`
  }
  // A cluster that was not shut down cleanly replays its log before it takes connections, which
  // on a loaded machine outlasts pg_ctlcluster's own wait: wait until it answers.
  for (const c of clusters) {
    if (!readyWithin(run, c.port, READY_ATTEMPTS))
      return `PostgreSQL: cluster ${c.version}/${c.name} started but did not take connections within ${READY_ATTEMPTS} checks a second apart; its tests may be skipped.`
  }
  if (isRoot) {
    const role = run('su', ['postgres', '-c', 'createuser -s root'], { encoding: 'utf8' })
    if (role.status !== 0 && !/already exists/.test(role.stderr ?? ''))
      return `PostgreSQL: the role root could not be created: ${(role.stderr ?? '').trim()}`
  }
  return down.length > 0
    ? `PostgreSQL: started the local cluster ${down.map((c) => `${c.version}/${c.name}`).join(', ')}.`
    : 'PostgreSQL: the local cluster is running.'
}

const READY_ATTEMPTS = 300

/** Ask the server on `port` (local socket) whether it takes connections, once a second, up to `attempts` times. */
function readyWithin(run, port, attempts) {
  for (let i = 0; i < attempts; i++) {
    if (run('pg_isready', ['-q', '-h', '/var/run/postgresql', '-p', String(port)], { encoding: 'utf8' }).status === 0)
      return true
    run('sleep', ['1'])
  }
  return false
}

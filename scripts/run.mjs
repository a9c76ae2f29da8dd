#!/usr/bin/env node
// The README's two commands land here, so they work on a machine that has only Node and npm:
// `npm start` installs and starts the product; `npm test` installs and runs every test.
// pnpm comes from the npm registry through npx (corepack's signature check is not relied on).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ensureLocalPostgres } from './local-postgres.mjs'

const PNPM = ['--yes', 'pnpm@10.34.9']
const command = process.argv[2]

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: false, ...options })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function pnpm(...args) {
  run('npx', [...PNPM, ...args])
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot) {
    console.error('Browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install -y chromium).')
    process.exit(1)
  }
  console.log('Installing Debian Chromium for the browser tests…')
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

pnpm('install', '--frozen-lockfile')
if (command === 'start') {
  pnpm('run', 'serve:demo', ...process.argv.slice(3))
} else if (command === 'test') {
  ensureChromium()
  console.log(ensureLocalPostgres())
  pnpm('run', 'test:all')
} else {
  console.error('usage: node scripts/run.mjs start|test')
  process.exit(2)
}

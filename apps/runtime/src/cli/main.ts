#!/usr/bin/env -S npx tsx
// The `carepath` command line. Each command lives in its own file and is loaded only when used,
// so `carepath validate` never opens a database and `carepath serve` never parses argv twice.
import { CliError, type CommandModule } from './cli-io.ts'

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: { summary: 'validate FILE… [--json]  check flow documents', load: () => import('./validate.command.ts') },
  hash: { summary: 'hash FILE  print the content hash', load: () => import('./hash.command.ts') },
  diff: { summary: 'diff OLD NEW [--json]  structural diff of two versions', load: () => import('./diff.command.ts') },
  migrate: {
    summary: 'migrate FILE  print the document upgraded to the current format',
    load: () => import('./migrate.command.ts'),
  },
  run: {
    summary: 'run FLOW --input FACTS.json [--answers A.json] [--mocks M.json] [--json]',
    load: () => import('./run.command.ts'),
  },
  simulate: {
    summary:
      'simulate --base OLD --candidate NEW [--suite S.json] [--generate] [--json|--markdown] [--workers N] [--unchanged list|count]',
    load: () => import('./simulate.command.ts'),
  },
  'phi-map': {
    summary: 'phi-map FLOW [--format md|csv|json] [--version N] [--data DIR]  the PHI touchpoint map',
    load: () => import('./phi-map.command.ts'),
  },
  cases: { summary: 'cases FLOW  print generated cases as a suite', load: () => import('./cases.command.ts') },
  serve: {
    summary:
      'serve [--port 8080] [--data ./data] [--demo] [--mllp-port N] [--tls-cert F --tls-key F] [--mllp-tls] [--mllp-max-connections N] [--mllp-allow ADDR,…] [--keys F] [--audit-anchor F]',
    load: () => import('./serve.command.ts'),
  },
  user: { summary: 'user add NAME --role ROLE [--data DIR]', load: () => import('./user.command.ts') },
  token: {
    summary: 'token create USER --name NAME --scopes a,b [--days N] [--data DIR]  an API token, printed once',
    load: () => import('./token.command.ts'),
  },
  pull: {
    summary: "pull FLOW… [--out DIR] [--server URL] [--token-file F]  a server's drafts and test cases into files",
    load: () => import('./pull.command.ts'),
  },
  push: {
    summary:
      'push FILE.flow.json… [--submit] [--server URL] [--token-file F]  files to a server as drafts (and into review)',
    load: () => import('./push.command.ts'),
  },
  replay: {
    summary:
      'replay RUN | --sample N [--data DIR] [--json]  re-execute stored runs; byte-identical or the first difference',
    load: () => import('./replay.command.ts'),
  },
  audit: {
    summary:
      'audit verify [--data DIR] [--keys FILE] [--audit-anchor FILE] | audit verify --archive FILE [--public-key F] | audit archive --out FILE [--from N] [--to N] | audit public-key',
    load: () => import('./audit.command.ts'),
  },
  db: {
    summary: 'db copy --from DIR --to postgres://…  copy a SQLite installation into an empty PostgreSQL database',
    load: () => import('./db.command.ts'),
  },
}

function usage(): string {
  return ['usage: carepath <command> [options]', '', ...Object.values(commands).map((c) => `  ${c.summary}`)].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === '--help' || name === '-h') {
    console.log(usage())
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`carepath: unknown command "${name}"\n${usage()}`)
    return 2
  }
  try {
    const module = await command.load()
    return await module.run(args)
  } catch (error) {
    // Users get one clear line, never a stack trace; bad input exits 2.
    if (error instanceof CliError) {
      console.error(`carepath ${name}: ${error.message}`)
      return error.exitCode
    }
    console.error(`carepath ${name}: unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.exitCode = 2
  },
)

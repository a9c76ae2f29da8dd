import { readFileSync } from 'node:fs'

/** A command: parses its own arguments, prints, and returns the exit code. */
export interface CommandModule {
  run(args: string[]): Promise<number>
}

/** A failure the user caused (bad file, bad JSON, bad flag): one line on stderr, exit 2. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
  }
}

/** Read and parse a JSON file, turning every failure into a one-line CliError. */
export function readJsonFile(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new CliError(`${file}: cannot read the file (does it exist?)`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${error instanceof Error ? error.message : 'parse error'})`)
  }
}

/** Split argv into positionals, boolean flags and `--name value` options. */
export function parseArgs(
  args: string[],
  spec: { flags?: readonly string[]; options?: readonly string[] } = {},
): { positionals: string[]; flags: Set<string>; options: Map<string, string> } {
  const positionals: string[] = []
  const flags = new Set<string>()
  const options = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    if (spec.flags?.includes(name)) flags.add(name)
    else if (spec.options?.includes(name)) {
      const value = inline ?? args[++i]
      if (value === undefined) throw new CliError(`--${name} needs a value`)
      options.set(name, value)
    } else throw new CliError(`unknown option --${name}`)
  }
  return { positionals, flags, options }
}

// `carepath user add NAME --role ROLE [--flow-roles a,b] [--password-only] [--data DIR]`; the password comes from
// CAREPATH_PASSWORD or a prompt (never from argv, where other users of the machine can see it).
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { USER_ROLES, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { createRuntime } from '../runtime.ts'
import { USERNAME_PATTERN, USERNAME_RULE } from '../trpc/inputs.ts'
import { CliError, parseArgs } from './cli-io.ts'

async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    // Piped: the first line of stdin is the password.
    const rl = createInterface({ input: process.stdin })
    for await (const line of rl) {
      rl.close()
      return line
    }
    return ''
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  const output = rl as unknown as { _writeToOutput?: (s: string) => void } // readline's private echo hook: no public API mutes it
  const answer = await new Promise<string>((resolveAnswer) => {
    rl.question('Password (at least 12 characters): ', resolveAnswer)
    output._writeToOutput = () => {} // do not echo the password
  })
  rl.close()
  process.stdout.write('\n')
  return answer
}

export async function run(args: string[]): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, {
    options: ['role', 'data', 'flow-roles'],
    flags: ['password-only'],
  })
  const [sub, name] = positionals
  if (sub !== 'add' || !name)
    throw new CliError('usage: carepath user add NAME --role ROLE [--flow-roles a,b] [--password-only] [--data DIR]')
  const role = options.get('role')
  if (!role || !USER_ROLES.includes(role as UserRole))
    throw new CliError(`--role must be one of ${USER_ROLES.join(', ')}`)
  if (!USERNAME_PATTERN.test(name)) throw new CliError(USERNAME_RULE)
  const password = process.env.CAREPATH_PASSWORD ?? (await promptPassword())
  if (password.length < 12) throw new CliError('the password needs at least 12 characters')
  const flowRoles = (options.get('flow-roles') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
  const runtime = await createRuntime({ dataDir: resolve(options.get('data') ?? './data') })
  try {
    const actor = { who: 'carepath-cli', role: 'system' }
    await runtime.auth.addUser({ username: name, password, role: role as UserRole, flowRoles }, actor)
    // A service or test account exempt from the MFA policy by name (audited as a policy change).
    if (flags.has('password-only')) {
      const policy = await runtime.mfa.policy()
      await runtime.mfa.setPolicy({ ...policy, passwordOnly: [...policy.passwordOnly, name] }, actor)
    }
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message)
    throw error
  } finally {
    await runtime.close()
  }
  console.log(
    `Added ${name} (${role}).${flags.has('password-only') ? ' They log in with a password alone (exempt from the MFA policy).' : ''}`,
  )
  return 0
}

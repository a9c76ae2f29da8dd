// CPU used so far by other processes on this machine, read from Linux's /proc (the benches'
// peers, servers and database all run beside the bench, each in a process of its own).
import { readdirSync, readFileSync } from 'node:fs'

/** The command name and user + system CPU (ms) of process `pid`, or undefined (gone, or no /proc). */
function stat(pid: number | string): { command: string; cpuMs: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = text.lastIndexOf(') ')
    const fields = text.slice(close + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s).
    return {
      command: text.slice(text.indexOf('(') + 1, close),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100,
    }
  } catch {
    return undefined
  }
}

/** User + system CPU of process `pid` so far, ms (undefined when it is gone or there is no /proc). */
export const processCpuMs = (pid: number | undefined): number | undefined =>
  pid === undefined ? undefined : stat(pid)?.cpuMs

/** The CPU (ms) of every process on this machine whose command is `command`, summed. */
export function commandCpuMs(command: string): number {
  let total = 0
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const found = stat(pid)
    if (found?.command === command) total += found.cpuMs
  }
  return total
}

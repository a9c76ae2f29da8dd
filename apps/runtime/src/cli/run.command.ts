// `carepath run FLOW --input FACTS.json [--answers A.json] [--mocks M.json] [--now ISO] [--json]`:
// run a flow document locally, connectors mocked by node id and human steps answered from a
// file, on a virtual clock starting at --now (timers fire at once), and print the outcome and
// the trace.
import { nodeTitle, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { runCase, type RunEvent, type RunState } from '@carepath/engine'
import { registry } from '../plugins/installed-registry.ts'
import { CliError, parseArgs, readJsonFile } from './cli-io.ts'
import { loadFlowFile, siblingFlowLoader } from './flow-files.ts'

function readObject(file: string, what: string): Record<string, JsonValue> {
  const value = readJsonFile(file)
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(`${file}: the ${what} must be a JSON object`)
  return value as Record<string, JsonValue>
}

/** One trace line; a step reads by title, its id beside it (answers and mocks files key by id). */
function describeEvent(event: RunEvent, flow: FlowDocument): string {
  const at = `${String(event.seq).padStart(3)} ${event.scope ? `${event.scope}/` : ''}`
  switch (event.type) {
    case 'node.entered': {
      const { type, visit } = event.data
      // A step inside a subflow is that flow's: its title is not in this document.
      const id = event.nodeId ?? '?'
      const title = event.scope ? id : nodeTitle(flow, id)
      return `${at}→ ${title} (${id}, ${type}${visit > 1 ? `, visit ${visit}` : ''})`
    }
    case 'decision': {
      const { fired } = event.data.explanation
      return `${at}  decision: ${event.data.port}${fired.length ? ` (fired ${fired.join(', ')})` : ' (no rule fired)'}`
    }
    case 'facts.set':
      return `${at}  set ${Object.keys(event.data.set).join(', ')}`
    case 'connector.request': {
      const { connector, attempt } = event.data
      return `${at}  call ${connector}${attempt > 1 ? ` (attempt ${attempt})` : ''}`
    }
    case 'connector.response':
      return `${at}  ${'error' in event.data ? `call failed: ${event.data.error}` : 'response received'}`
    case 'node.exited':
      return `${at}  ${event.data.port} → ${event.data.to}`
    case 'error':
      return `${at}  error${event.data.handled ? ' (to the error port)' : ''}: ${event.data.message}`
    case 'run.ended':
      return `${at}■ ${'message' in event.data ? `failed: ${event.data.message}` : 'outcome' in event.data ? `completed: ${event.data.outcome}` : event.data.status}`
    default:
      return `${at}  ${event.type}${event.nodeId ? ` ${event.nodeId}` : ''}`
  }
}

/** The human-readable run: headline, open task, trace. */
export function formatRun(flow: FlowDocument, state: RunState, problems: readonly string[]): string {
  const head =
    state.status === 'completed'
      ? `completed with outcome "${state.outcome ?? ''}"`
      : state.status === 'failed'
        ? `failed at "${state.error?.nodeId !== undefined ? nodeTitle(flow, state.error.nodeId) : '?'}": ${state.error?.message ?? ''}`
        : state.status
  const lines = [
    `${flow.id} v${flow.version} (${state.flowHash.slice(0, 12)}): ${head}`,
    `path: ${state.path.map((nodeId) => nodeTitle(flow, nodeId)).join(' → ')}`,
  ]
  const task = state.openTask
  if (state.status === 'waiting' && task) {
    lines.push(
      `waiting for ${task.request.role}: task ${task.taskId} at "${nodeTitle(flow, task.nodeId)}" (${task.nodeId}): ${task.request.title}`,
      `  fields: ${task.request.fields.map((f) => `${f.name}${f.required ? '*' : ''} (${f.type})`).join(', ') || '—'}`,
      `  may show: ${task.request.shows.join(', ') || 'nothing'}`,
    )
    if (task.request.options?.length) lines.push(`  options: ${task.request.options.map((o) => o.value).join(', ')}`)
    lines.push(`  (answer it with --answers FILE: { "${task.nodeId}": <answer> })`)
  }
  for (const problem of problems) lines.push(`note: ${problem}`)
  lines.push('trace:', ...state.events.map((event) => describeEvent(event, flow)))
  return lines.join('\n')
}

export async function run(args: string[]): Promise<number> {
  const { positionals, flags, options } = parseArgs(args, {
    flags: ['json'],
    options: ['input', 'answers', 'mocks', 'now'],
  })
  const [file, ...extra] = positionals
  if (!file || extra.length > 0)
    throw new CliError(
      'usage: carepath run FLOW --input FACTS.json [--answers A.json] [--mocks M.json] [--now ISO] [--json]',
    )
  const inputFile = options.get('input')
  if (!inputFile) throw new CliError('--input FACTS.json is required')
  const flow = loadFlowFile(file)
  const input = readObject(inputFile, 'input facts')
  const answersFile = options.get('answers')
  const mocksFile = options.get('mocks')
  const c = {
    id: 'cli',
    input,
    ...(answersFile ? { answers: readObject(answersFile, 'answers file') } : {}),
    ...(mocksFile ? { mocks: readObject(mocksFile, 'mocks file') } : {}),
  }
  const now = options.get('now')
  if (now !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(now) || Number.isNaN(Date.parse(now)))) {
    throw new CliError(`--now must be an ISO-8601 date-time, like 2026-01-01T09:00:00Z`)
  }
  const clock = now === undefined ? {} : { now: new Date(Date.parse(now)).toISOString() }
  const result = await runCase(flow, c, { registry, loadFlow: siblingFlowLoader(file), ...clock })
  if (!result.state) throw new CliError(`${file}: cannot run: ${result.problems.join('; ')}`)
  const state = result.state
  if (flags.has('json')) {
    const { events, ...rest } = state
    console.log(JSON.stringify({ ...rest, problems: result.problems, events }, null, 2))
  } else console.log(formatRun(flow, state, result.problems))
  return state.status === 'failed' ? 1 : 0
}

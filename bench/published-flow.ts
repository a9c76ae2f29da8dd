// What a benchmark's runtime needs before it is measured: its flow published the way every flow
// is, through review (an analyst drafts and submits it; a reviewer, never its author, approves and
// publishes it), and the account of the outside system that starts its runs, with an API token
// that may do only that.
import type { FlowDocument } from '@carepath/dsl'
import type { Runtime } from '@carepath/runtime'

const SYSTEM = { who: 'bench', role: 'system' }
const PASSWORD = 'bench password 123'

type Role = 'analyst' | 'reviewer' | 'agent'

async function person(rt: Runtime, username: string, role: Role) {
  // The intake system may start runs of every flow; the analyst and reviewer need no flow role.
  const flowRoles = role === 'agent' ? ['*'] : []
  const added = await rt.auth.addUser({ username, password: PASSWORD, role, flowRoles }, SYSTEM)
  return { userId: added.id, username, role, flowRoles }
}

/** Publish `flow` through review; `intakeSystem` also adds the account `startRunsToken` needs. */
export async function publishThroughReview(
  rt: Runtime,
  flow: FlowDocument,
  options: { intakeSystem: boolean } = { intakeSystem: true },
): Promise<{ hash: string }> {
  const analyst = await person(rt, 'analyst', 'analyst')
  const reviewer = await person(rt, 'reviewer', 'reviewer')
  if (options.intakeSystem) await person(rt, 'intake-system', 'agent')
  const { hash } = await rt.flowService.create(flow, analyst)
  await rt.review.submit(flow.id, analyst)
  await rt.review.approve(flow.id, hash, 'bench', reviewer)
  await rt.review.publish(flow.id, hash, reviewer)
  return { hash }
}

/** A new API token of the intake system (see `publishThroughReview`) that may only start runs. */
export async function startRunsToken(rt: Runtime): Promise<string> {
  const { token } = await rt.auth.createApiToken(
    { username: 'intake-system', name: 'bench', scopes: ['runs:start'] },
    SYSTEM,
  )
  return token
}

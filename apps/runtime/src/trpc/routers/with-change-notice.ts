// A change that publishes, rolls back or retires a flow, then its notice. The change commits first
// (a notice never holds or undoes it); the notice is recorded, delivered and audited after.
import type { NoticeKind } from '../../notices/change-notices.service.ts'
import type { Principal } from '../../auth/auth.service.ts'
import type { Context } from '../trpc.ts'

export async function withChangeNotice<R>(
  ctx: Context & { principal: Principal },
  flowId: string,
  kind: NoticeKind,
  change: () => Promise<R>,
): Promise<R> {
  const before = (await ctx.runtime.flowService.requireFlow(flowId)).publishedHash
  const result = await change()
  const after = (await ctx.runtime.flowService.requireFlow(flowId)).publishedHash
  await ctx.runtime.notices.send(
    { flowId, kind, hash: kind === 'retired' ? before : after, previousHash: kind === 'retired' ? null : before },
    ctx.principal,
  )
  return result
}

// A change notice as an inbox shows it: ids, hashes, kinds and times are structure; the title and
// summary are sentences made from the flow document (author text: titles, node ids, thresholds)
// and the simulation's counts. Nothing in a notice comes from a run.
import type { NoticeView } from '../notices/change-notices.service.ts'
import { authored, each, object, structure } from './redaction-policy.ts'

export const noticePolicy = object<NoticeView>({
  id: structure,
  flowId: structure,
  kind: structure,
  hash: structure,
  previousHash: structure,
  title: authored,
  summary: authored,
  actor: structure,
  createdAt: structure,
  read: structure,
})

export const noticeListPolicy = each(noticePolicy)

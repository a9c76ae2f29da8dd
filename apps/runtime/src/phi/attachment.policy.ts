// An attachment list: ids, hashes, sizes and types are structure; the file name was typed by a
// person and may name a patient, so it leaves as free text (redacted against the context's values).
import type { AttachmentView } from '../evidence/attachments.service.ts'
import { each, freeText, object, structure } from './redaction-policy.ts'

export const attachmentPolicy = object<AttachmentView>({
  id: structure,
  kind: structure,
  flowId: structure,
  subject: structure,
  name: freeText,
  mediaType: structure,
  size: structure,
  sha256: structure,
  uploadedBy: structure,
  uploadedAt: structure,
})

export const attachmentListPolicy = each(attachmentPolicy)

// Upload and download of evidence over plain HTTP, beside tRPC. Files go up as the raw request
// body (any content type; the type is told from the bytes), not as base64 inside a tRPC call:
// JSON would grow a 10 MB file by a third and hold it twice in memory, and the size limit would
// be the whole API's body limit instead of the evidence setting. Metadata travels in the query.
// Errors are the runtime's usual `{ error: { code, message, field } }`, never a stack.
import express, { Router, type NextFunction, type Request, type Response } from 'express'
import { z } from 'zod'
import { AppError, httpStatusOf } from '../errors.ts'
import type { Runtime } from '../runtime.ts'
import { contextFor } from '../http/context.ts'
import { sizeInWords } from './evidence-settings.schema.ts'

const uploadQuery = z
  .object({
    kind: z.enum(['review', 'task'], { error: 'kind must be review or task' }),
    flow: z.string().min(1).max(100),
    subject: z.string().min(1).max(200),
    name: z.string().min(1, 'give the file a name').max(400),
  })
  .strict()

function sendError(res: Response, error: unknown, log: (error: unknown) => void): void {
  if (error instanceof AppError) {
    res.status(httpStatusOf(error.code)).json({
      error: { code: error.code, message: error.message, ...(error.details.path ? { field: error.details.path } : {}) },
    })
    return
  }
  log(error)
  res
    .status(500)
    .json({ error: { code: 'internal', message: 'Something went wrong on the server; nothing was changed.' } })
}

/** The person calling, from their session; API tokens do not carry evidence. */
async function principalOf(runtime: Runtime, req: Request) {
  const { principal } = await contextFor(runtime, req)
  if (!principal) throw new AppError('unauthenticated', 'Sign in first (your session may have expired).')
  if (principal.scopes) throw new AppError('forbidden', 'API tokens may not attach or download evidence.')
  return principal
}

/** POST /api/attachments?kind&flow&subject&name (raw body) and GET /api/attachments/:id. */
export function attachmentRoutes(runtime: Runtime, log: (error: unknown) => void): Router {
  const router = Router()

  // The body is read up to the evidence limit plus one byte, so a larger file is told apart and
  // refused with the limit in words, and nothing larger is ever held in memory.
  const rawBody = (req: Request, res: Response, next: NextFunction, limit: number) => {
    express.raw({ type: () => true, limit })(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next()
      const tooLarge = typeof error === 'object' && 'type' in error && error.type === 'entity.too.large'
      if (tooLarge)
        return sendError(
          res,
          new AppError(
            'payload-too-large',
            `The file is larger than ${sizeInWords(limit)}, the most that can be attached.`,
            {
              path: 'file',
            },
          ),
          log,
        )
      sendError(res, new AppError('bad-input', 'The file could not be read.', { path: 'file' }), log)
    })
  }

  router.post('/api/attachments', async (req, res, next) => {
    let limit: number
    try {
      await principalOf(runtime, req)
      limit = (await runtime.attachments.config()).maxBytes
    } catch (error) {
      return sendError(res, error, log)
    }
    rawBody(req, res, next, limit)
  })
  router.post('/api/attachments', async (req, res) => {
    try {
      const principal = await principalOf(runtime, req)
      const query = uploadQuery.safeParse(req.query)
      if (!query.success) {
        const issue = query.error.issues[0]
        const path = issue?.path.map(String).join('.') ?? ''
        throw new AppError('bad-input', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path })
      }
      const body: unknown = req.body
      const bytes = body instanceof Buffer ? body : Buffer.alloc(0)
      const { kind, flow, subject, name } = query.data
      res.status(201).json(await runtime.attachments.add({ kind, flowId: flow, subject }, name, bytes, principal))
    } catch (error) {
      sendError(res, error, log)
    }
  })

  router.get('/api/attachments/:id', async (req, res) => {
    try {
      const principal = await principalOf(runtime, req)
      const { view, bytes } = await runtime.attachments.read(req.params.id, principal)
      res
        .status(200)
        .set({
          'Content-Type': view.mediaType,
          'Content-Length': String(bytes.byteLength),
          // Always a download, never rendered in the app's origin.
          'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(view.name)}`,
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'; sandbox",
        })
        .end(bytes)
    } catch (error) {
      sendError(res, error, log)
    }
  })
  return router
}

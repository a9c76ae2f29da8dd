// The browser's part of single sign-on: /auth/oidc/login sends it to the identity provider, and
// /auth/oidc/callback takes it back. The callback answers with a redirect to the designer carrying
// a one-time code (never a token); a refused log-in lands on the log-in screen with a plain notice.
import { Router } from 'express'
import type { Runtime } from '../runtime.ts'

export function oidcRoutes(runtime: Runtime, log: (line: string) => void): Router {
  const router = Router()
  router.use('/auth/oidc', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store')
    next()
  })
  router.get('/auth/oidc/login', async (_req, res) => {
    const oidc = runtime.oidc
    if (!oidc) return void res.status(404).send('Single sign-on is not configured.')
    try {
      res.redirect(302, (await oidc.start()).href)
    } catch (error) {
      log(`carepath: the identity provider cannot be reached (${error instanceof Error ? error.message : 'unknown'})`)
      res.redirect(302, '/#/sso-error')
    }
  })
  router.get('/auth/oidc/callback', async (req, res) => {
    const oidc = runtime.oidc
    if (!oidc) return void res.status(404).send('Single sign-on is not configured.')
    try {
      const handoff = await oidc.callback(new URL(req.originalUrl, oidc.redirectUri))
      res.redirect(302, `/#/sso/${handoff}`)
    } catch {
      // Refused and audited by the service; the person sees a plain notice and logs in again.
      res.redirect(302, '/#/sso-error')
    }
  })
  return router
}

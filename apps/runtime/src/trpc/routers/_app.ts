import { router } from '../trpc.ts'
import { alertsRouter } from './alerts.router.ts'
import { attachmentsRouter } from './attachments.router.ts'
import { auditRouter } from './audit.router.ts'
import { eventsRouter } from './events.router.ts'
import { migrationsRouter } from './migrations.router.ts'
import { phiMapRouter } from './phi-map.router.ts'
import { noticesRouter } from './notices.router.ts'
import { authRouter } from './auth.router.ts'
import { deadLettersRouter } from './dead-letters.router.ts'
import { embedRouter } from './embed.router.ts'
import { flowsRouter } from './flows.router.ts'
import { governanceRouter } from './governance.router.ts'
import { incidentsRouter } from './incidents.router.ts'
import { metricsRouter } from './metrics.router.ts'
import { queuesRouter } from './queues.router.ts'
import { reviewRouter } from './review.router.ts'
import { runsRouter } from './runs.router.ts'
import { securityRouter } from './security.router.ts'
import { settingsRouter } from './settings.router.ts'
import { simulateRouter } from './simulate.router.ts'
import { tasksRouter } from './tasks.router.ts'
import { tokensRouter } from './tokens.router.ts'
import { usersRouter } from './users.router.ts'

/** Every feature's router, merged: the API the designer and tests call. */
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  tokens: tokensRouter,
  flows: flowsRouter,
  queues: queuesRouter,
  simulate: simulateRouter,
  review: reviewRouter,
  governance: governanceRouter,
  runs: runsRouter,
  tasks: tasksRouter,
  audit: auditRouter,
  settings: settingsRouter,
  security: securityRouter,
  incidents: incidentsRouter,
  deadLetters: deadLettersRouter,
  metrics: metricsRouter,
  alerts: alertsRouter,
  events: eventsRouter,
  migrations: migrationsRouter,
  embed: embedRouter,
  phiMap: phiMapRouter,
  attachments: attachmentsRouter,
  notices: noticesRouter,
})
export type AppRouter = typeof appRouter

// The people who may log in, as admins manage them: adding one, and changing their product role,
// work queues and whether they may log in. Each change is a compare-and-set on the person's
// version (row-versions.ts), so two admin screens saving at once never overwrite each other.
import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { flowRolesSet, userAdded, userSet, type AuditInput } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { users, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { staleSave, versionAfter } from '../store/row-versions.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { hashPassword } from './password.ts'

/** A person's version: when their access was last changed (people from before it was kept: when added). */
const personVersion = sql<string>`coalesce(${users.updatedAt}, ${users.createdAt})`

/** People on the store: add, list, and change their access, each change audited. */
export function createPeople(deps: { store: Store; audit: AuditRecorder; now: () => Date }) {
  const { store, audit, now } = deps
  const { db } = store

  async function addUser(
    input: { username: string; password: string; role: UserRole; flowRoles?: string[] },
    actor: { who: string; role: string },
  ) {
    const duplicate = () =>
      new AppError('conflict', `A user named "${input.username}" already exists.`, { path: 'username' })
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).get()
    if (existing) throw duplicate()
    const passwordHash = await hashPassword(input.password)
    const id = randomUUID()
    const createdAt = now().toISOString()
    try {
      await store.transaction(async () => {
        await db.insert(users).values({
          id,
          username: input.username,
          role: input.role,
          passwordHash,
          flowRoles: input.flowRoles ?? [],
          createdAt,
          updatedAt: createdAt,
          updatedBy: actor.who,
        })
        await audit.record(userAdded(actor, input.username, input.role))
      })
    } catch (error) {
      // Another process added the same name while the password was hashed.
      if (isUniqueViolation(error)) throw duplicate()
      throw error
    }
    return { id, username: input.username, role: input.role }
  }

  /** Everyone, with the version of each person's access that a save from the admin screen names. */
  async function listUsers() {
    const rows = await db
      .select({
        id: users.id,
        username: users.username,
        role: users.role,
        flowRoles: users.flowRoles,
        disabled: users.disabled,
        version: personVersion,
      })
      .from(users)
      .orderBy(users.username)
      .all()
    return rows
  }

  /** A person's work queues, or undefined when there is no such active user. */
  async function flowRolesOf(username: string): Promise<string[] | undefined> {
    const row = await db
      .select({ flowRoles: users.flowRoles, disabled: users.disabled })
      .from(users)
      .where(eq(users.username, username))
      .get()
    return row && !row.disabled ? row.flowRoles : undefined
  }

  /**
   * Write one change to a person's access as a compare-and-set on their version: with `baseVersion`
   * (a save from the admin screen) only the row still at that version is changed, so of two saves on
   * one version one is written and the other refused (`conflict`) with nothing changed or audited.
   * Without it (the installation's own callers, which act on no earlier read) the write is
   * unconditional; either way the person's version moves on, so a screen open elsewhere is refused.
   */
  async function changePerson(
    username: string,
    change: Partial<Pick<typeof users.$inferInsert, 'flowRoles' | 'role' | 'disabled'>>,
    baseVersion: string | undefined,
    actor: { who: string; role: string },
    audited: readonly AuditInput[],
  ): Promise<{ version: string }> {
    return store.transaction(async () => {
      const current = await db
        .select({ updatedAt: personVersion, updatedBy: users.updatedBy })
        .from(users)
        .where(eq(users.username, username))
        .get()
      if (!current) throw new AppError('not-found', `No user named "${username}".`, { path: 'username' })
      const person = `the access of "${username}"`
      if (baseVersion !== undefined && current.updatedAt !== baseVersion) throw staleSave(person, current, actor.who)
      const version = versionAfter(now(), current.updatedAt)
      // The condition is checked again by the write itself: PostgreSQL re-reads a row a concurrent
      // save committed while this one waited for it, and matches it no longer.
      const written = await db
        .update(users)
        .set({ ...change, updatedAt: version, updatedBy: actor.who })
        .where(
          baseVersion === undefined
            ? eq(users.username, username)
            : and(eq(users.username, username), eq(personVersion, baseVersion)),
        )
        .returning({ id: users.id })
      if (written.length !== 1) {
        const since = await db
          .select({ updatedAt: personVersion, updatedBy: users.updatedBy })
          .from(users)
          .where(eq(users.username, username))
          .get()
        throw staleSave(person, since, actor.who)
      }
      for (const record of audited) await audit.record(record)
      return { version }
    })
  }

  /** A person's work queues (the whole list); `baseVersion` as for {@link changePerson}. */
  async function setFlowRoles(
    username: string,
    flowRoles: string[],
    actor: { who: string; role: string },
    baseVersion?: string,
  ): Promise<{ version: string }> {
    return changePerson(username, { flowRoles }, baseVersion, actor, [flowRolesSet(actor, username, flowRoles)])
  }

  /**
   * A person's product role, and whether they may log in at all: switched off, their sessions and
   * API tokens stop working at once (both are checked against the user on every request). An
   * admin cannot demote or switch off themselves, so an installation keeps an admin who can undo it.
   * With `flowRoles`, their work queues change in the same write (one version, both audited), so a
   * screen that changed both never saves one without the other. `baseVersion` as for
   * {@link changePerson}.
   */
  async function setUser(
    username: string,
    change: { role: UserRole; active: boolean; flowRoles?: string[] | undefined },
    actor: { who: string; role: string },
    baseVersion?: string,
  ): Promise<{ version: string }> {
    if (username === actor.who && (change.role !== 'admin' || !change.active))
      throw new AppError(
        'conflict',
        'You cannot take away your own admin role or switch off your own log-in; another admin can.',
        { path: 'username' },
      )
    const { role, active, flowRoles } = change
    return changePerson(
      username,
      flowRoles ? { role, disabled: !active, flowRoles } : { role, disabled: !active },
      baseVersion,
      actor,
      flowRoles
        ? [userSet(actor, username, role, active), flowRolesSet(actor, username, flowRoles)]
        : [userSet(actor, username, role, active)],
    )
  }

  const userCount = async () => (await store.sql.get<{ n: number }>('SELECT count(*) AS n FROM users'))?.n ?? 0

  return { addUser, listUsers, setFlowRoles, setUser, flowRolesOf, userCount }
}

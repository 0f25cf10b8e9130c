import { eq, lte, sql } from "drizzle-orm";
import { db, prepared, transaction } from "../../db/client";
import { sessions, users } from "../../db/schema";
import type { Role } from "../../db/schema/domain";

// Sign-in sessions as rows. Lucia (app/auth) decides what they mean; this is
// where they are stored, the same way on both engines. Expiry is kept in
// seconds, as Lucia's own adapters stored it.

export type SessionRow = { id: string; userId: string; expiresAt: number; createdAt: number };
export type SessionUser = { id: string; username: string; role: Role; banned: boolean };

const withUser = prepared("sessions.withUser", (c) =>
  c
    .select({
      id: sessions.id,
      userId: sessions.userId,
      expiresAt: sessions.expiresAt,
      createdAt: sessions.createdAt,
      username: users.username,
      role: users.role,
      banned: users.banned,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder("id"))),
);

/** A session and its user, or null when either is gone. */
export async function findSession(id: string): Promise<{ session: SessionRow; user: SessionUser } | null> {
  const r = await withUser().get({ id });
  if (!r) return null;
  return {
    session: { id: r.id, userId: r.userId, expiresAt: r.expiresAt, createdAt: r.createdAt },
    user: { id: r.userId, username: r.username, role: r.role, banned: r.banned },
  };
}

export async function sessionsOf(userId: string): Promise<SessionRow[]> {
  return db().select().from(sessions).where(eq(sessions.userId, userId));
}

export async function storeSession(row: SessionRow): Promise<void> {
  await transaction((tx) => tx.insert(sessions).values(row));
}

export async function extendSession(id: string, expiresAt: number): Promise<void> {
  await transaction((tx) => tx.update(sessions).set({ expiresAt }).where(eq(sessions.id, id)));
}

export async function dropSession(id: string): Promise<void> {
  await transaction((tx) => tx.delete(sessions).where(eq(sessions.id, id)));
}

export async function dropSessionsOf(userId: string): Promise<void> {
  await transaction((tx) => tx.delete(sessions).where(eq(sessions.userId, userId)));
}

/** Deletes sessions expired at `nowSeconds`; answers how many. */
export async function dropExpiredSessions(nowSeconds: number): Promise<number> {
  const gone = await transaction((tx) => tx.delete(sessions).where(lte(sessions.expiresAt, nowSeconds)).returning({ id: sessions.id }));
  return gone.length;
}

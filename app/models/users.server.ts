import { hash, verify } from "@node-rs/argon2";
import { and, desc, eq, sql } from "drizzle-orm";
import crypto from "node:crypto";
import { db, forUpdate, isUniqueViolation, prepared, transaction, type DB } from "../../db/client";
import type { Role } from "../../db/schema/domain";
import { sessions, users } from "../../db/schema";
import { withdrawAllBallotsInTransaction } from "./ballots.server";
import { notifyPollChanged } from "./events.server";
import { logAction } from "./moderation-log.server";
import { notGuest } from "./guests.server";
import { fail, type Failure, type Ok } from "./outcome";
import { touchEverything } from "./data-versions.server";

export type { Role } from "../../db/schema/domain";

// OWASP's argon2id minimum: m=19456 KiB, t=2, p=1.
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verified against when the user does not exist, so a wrong username costs
// as much time as a wrong password and does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

export async function createUser(username: string, password: string): Promise<Ok<{ userId: string }> | Failure> {
  const passwordHash = await hashPassword(password);
  // 80 random bits; Lucia stays inside app/auth.
  const id = crypto.randomBytes(10).toString("hex");
  try {
    // A new account can do less until the community has seen it (trust.server.ts).
    await transaction((tx) => tx.insert(users).values({ id, username, passwordHash, trustLevel: "new", createdAt: Date.now() }));
  } catch (err) {
    if (isUniqueViolation(err)) {
      return fail("invalid", "That username is taken.", "username");
    }
    throw err;
  }
  return { ok: true, userId: id };
}

const byUsername = prepared("users.byUsername", (conn) =>
  conn
    .select({ id: users.id, passwordHash: users.passwordHash, deletedAt: users.deletedAt, banned: users.banned })
    .from(users)
    .where(eq(sql`lower(${users.username})`, sql.placeholder("username"))),
);

/** The user id when the credentials match a live account; `banned` says it may not sign in. */
export async function verifyCredentials(username: string, password: string): Promise<{ userId: string; banned: boolean } | null> {
  const row = await byUsername().get({ username: username.toLowerCase() });
  if (!row || row.deletedAt !== null) {
    dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(row.passwordHash, password).catch(() => false);
  return ok ? { userId: row.id, banned: row.banned } : null;
}

// ---------------------------------------------------------------- moderation of people

const RANK: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };

/** Inside a transaction: the user row, locked until it ends. */
async function target(tx: DB, userId: string) {
  const [u] = await forUpdate(tx.select({ id: users.id, role: users.role, banned: users.banned, username: users.username }).from(users).where(eq(users.id, userId)));
  return u;
}

/**
 * Bans a user: every session ends at once (their next request is anonymous)
 * and, if asked, their ballots are withdrawn with the tallies, all in one transaction.
 */
export async function banUser(mod: { id: string; role: Role }, userId: string, reason: string | null, withdrawBallots: boolean): Promise<Ok | Failure> {
  const touched: number[] = [];
  const res = await transaction(async (tx): Promise<Ok | Failure> => {
    touched.length = 0;
    const u = await target(tx, userId);
    if (!u) return fail("not_found", "No such user.");
    if (u.id === mod.id) return fail("invalid", "You cannot ban yourself.");
    if (RANK[u.role] >= RANK[mod.role]) return fail("forbidden", "You can only ban people with a lower role than yours.");
    if (u.banned) return fail("conflict", "This user is already banned.");
    // Author names and counts change wherever they posted or voted.
    touchEverything(tx);
    await tx.update(users).set({ banned: true }).where(eq(users.id, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    if (withdrawBallots) touched.push(...(await withdrawAllBallotsInTransaction(tx, userId, Date.now(), "removed")));
    await logAction(tx, mod.id, "user.ban", "user", userId, reason, { withdrawnBallots: touched.length });
    return { ok: true };
  });
  for (const p of touched) notifyPollChanged(p);
  return res;
}

export async function unbanUser(mod: { id: string; role: Role }, userId: string, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const u = await target(tx, userId);
    if (!u) return fail("not_found", "No such user.");
    if (!u.banned) return fail("conflict", "This user is not banned.");
    if (RANK[u.role] >= RANK[mod.role]) return fail("forbidden", "You can only unban people with a lower role than yours.");
    touchEverything(tx);
    await tx.update(users).set({ banned: false }).where(eq(users.id, userId));
    await logAction(tx, mod.id, "user.unban", "user", userId, reason);
    return { ok: true as const };
  });
}

export async function changeRole(adminId: string, userId: string, role: Role, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const u = await target(tx, userId);
    if (!u) return fail("not_found", "No such user.");
    if (u.id === adminId) return fail("invalid", "You cannot change your own role.", "role");
    if (u.role === role) return { ok: true as const };
    // Pages may badge an author by role.
    touchEverything(tx);
    await tx.update(users).set({ role }).where(eq(users.id, userId));
    // A new role must take effect on the next request; sessions carry no role, so nothing to end.
    await logAction(tx, adminId, "user.role", "user", userId, reason, { from: u.role, to: role });
    return { ok: true as const };
  });
}

export async function listUsers(query: string, limit = 50) {
  const q = query.trim().toLowerCase();
  return db()
    .select({ id: users.id, username: users.username, role: users.role, banned: users.banned, trustLevel: users.trustLevel, createdAt: users.createdAt })
    .from(users)
    .where(and(notGuest, q ? sql`lower(${users.username}) like ${`%${q.replace(/[%_\\]/g, "\\$&")}%`} escape '\\'` : sql`${users.deletedAt} is null`))
    .orderBy(desc(users.createdAt))
    .limit(limit);
}

/** For the command line (`npm run user:role`): sets a role by username, logged with no actor. */
export async function setRoleByUsername(username: string, role: Role): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [u] = await tx.select({ id: users.id, role: users.role }).from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`);
    if (!u) return fail("not_found", `No user named "${username}".`);
    touchEverything(tx);
    await tx.update(users).set({ role }).where(eq(users.id, u.id));
    await logAction(tx, null, "user.role", "user", u.id, "set from the command line", { from: u.role, to: role });
    return { ok: true as const };
  });
}

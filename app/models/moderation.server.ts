import { and, desc, eq, sql } from "drizzle-orm";
import { db } from "../../db/client";
import { comments, moderationLog, polls, reports, sessions, topics, users } from "../../db/schema/sqlite";
import { withdrawAllBallotsInTransaction } from "./ballots.server";
import { bumpCounts } from "./comments.server";
import { notifyPollChanged } from "./events.server";
import { fail, type Failure, type Ok } from "./outcome";

import type { Role } from "../../db/schema/domain";
const RANK: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };


/** Inside the action's transaction: who did what to which target, why, when. */
export function logAction(actorId: string | null, action: string, targetType: string, targetId: string | number, reason: string | null, details?: unknown) {
  db()
    .insert(moderationLog)
    .values({
      actorId,
      action,
      targetType,
      targetId: String(targetId),
      reason: reason || null,
      details: details === undefined ? null : JSON.stringify(details),
      createdAt: Date.now(),
    })
    .run();
}

const tx = <T>(fn: () => T): T => db().transaction(fn, { behavior: "immediate" });

// ---------------------------------------------------------------- reports

export async function reportComment(userId: string, commentId: number, reason: string): Promise<Ok | Failure> {
  return tx(() => {
    const c = db().select({ authorId: comments.authorId, deletedAt: comments.deletedAt, removedAt: comments.removedAt }).from(comments).where(eq(comments.id, commentId)).get();
    if (!c) return fail("not_found", "No such comment.");
    if (c.authorId === userId) return fail("invalid", "You cannot report your own comment.");
    if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "This comment is already gone.");
    try {
      db().insert(reports).values({ commentId, reporterId: userId, reason, createdAt: Date.now() }).run();
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") return fail("conflict", "You have already reported this comment.");
      throw err;
    }
    return { ok: true as const };
  });
}

export async function listOpenReports() {
  return db().all<{
    id: number;
    reason: string;
    created_at: number;
    reporter: string;
    comment_id: number;
    body_html: string;
    author: string;
    author_id: string;
    author_banned: number;
    comment_created_at: number;
    topic_slug: string;
    poll_slug: string | null;
    removed_at: number | null;
    report_count: number;
  }>(sql`
    select r.id, r.reason, r.created_at, ru.username as reporter, c.id as comment_id, c.body_html, au.username as author,
           au.id as author_id, au.banned as author_banned, c.created_at as comment_created_at, t.slug as topic_slug, p.slug as poll_slug, c.removed_at,
           (select count(*) from reports r2 where r2.comment_id = c.id and r2.status = 'open') as report_count
    from reports r
    join comments c on c.id = r.comment_id
    join users ru on ru.id = r.reporter_id
    join users au on au.id = c.author_id
    join topics t on t.id = c.topic_id
    left join polls p on p.id = c.poll_id
    where r.status = 'open'
    order by r.created_at asc
    limit 200`);
}

/** A moderator's answer to an open report: dismiss it, or remove the comment (which closes every report on it). */
export async function handleReport(modId: string, reportId: number, action: "dismiss" | "remove", reason: string | null): Promise<Ok | Failure> {
  const r = db().select({ commentId: reports.commentId, status: reports.status, reason: reports.reason }).from(reports).where(eq(reports.id, reportId)).get();
  if (!r) return fail("not_found", "No such report.");
  if (r.status !== "open") return fail("conflict", "This report was already handled.");
  return action === "dismiss" ? dismissReport(modId, reportId, reason) : removeComment(modId, r.commentId, reason ?? r.reason);
}

async function dismissReport(modId: string, reportId: number, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    const r = db().select({ status: reports.status }).from(reports).where(eq(reports.id, reportId)).get();
    if (!r) return fail("not_found", "No such report.");
    if (r.status !== "open") return fail("conflict", "This report was already handled.");
    db().update(reports).set({ status: "dismissed", handledBy: modId, handledAt: Date.now() }).where(eq(reports.id, reportId)).run();
    logAction(modId, "report.dismiss", "report", reportId, reason);
    return { ok: true as const };
  });
}

// ---------------------------------------------------------------- comments

export async function removeComment(modId: string, commentId: number, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    const c = db().select().from(comments).where(eq(comments.id, commentId)).get();
    if (!c) return fail("not_found", "No such comment.");
    if (c.removedAt !== null) return fail("conflict", "This comment was already removed.");
    const now = Date.now();
    db().update(comments).set({ removedAt: now, removedBy: modId }).where(eq(comments.id, commentId)).run();
    if (c.deletedAt === null) bumpCounts(c.topicId, c.pollId, -1);
    db()
      .update(reports)
      .set({ status: "actioned", handledBy: modId, handledAt: now })
      .where(and(eq(reports.commentId, commentId), eq(reports.status, "open")))
      .run();
    logAction(modId, "comment.remove", "comment", commentId, reason);
    return { ok: true as const };
  });
}

export async function restoreComment(modId: string, commentId: number, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    const c = db().select().from(comments).where(eq(comments.id, commentId)).get();
    if (!c) return fail("not_found", "No such comment.");
    if (c.removedAt === null) return fail("conflict", "This comment is not removed.");
    db().update(comments).set({ removedAt: null, removedBy: null }).where(eq(comments.id, commentId)).run();
    if (c.deletedAt === null) bumpCounts(c.topicId, c.pollId, 1);
    logAction(modId, "comment.restore", "comment", commentId, reason);
    return { ok: true as const };
  });
}

// ---------------------------------------------------------------- threads

/** Locks or unlocks a thread: the topic's general discussion (pollId null) or one poll's. */
export async function setThreadLocked(modId: string, topicId: number, pollId: number | null, locked: boolean, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    if (pollId === null) {
      const res = db().update(topics).set({ locked, updatedAt: Date.now() }).where(eq(topics.id, topicId)).run();
      if (res.changes === 0) return fail("not_found", "No such topic.");
      logAction(modId, locked ? "thread.lock" : "thread.unlock", "topic", topicId, reason);
    } else {
      const res = db().update(polls).set({ commentsLocked: locked }).where(and(eq(polls.id, pollId), eq(polls.topicId, topicId))).run();
      if (res.changes === 0) return fail("not_found", "No such poll.");
      logAction(modId, locked ? "thread.lock" : "thread.unlock", "poll", pollId, reason);
    }
    return { ok: true as const };
  });
}

// ---------------------------------------------------------------- users

function target(userId: string) {
  return db().select({ id: users.id, role: users.role, banned: users.banned, username: users.username }).from(users).where(eq(users.id, userId)).get();
}

/**
 * Bans a user: every session ends at once (their next request is anonymous)
 * and, if asked, their ballots are withdrawn with the tallies, all in one transaction.
 */
export async function banUser(mod: { id: string; role: Role }, userId: string, reason: string | null, withdrawBallots: boolean): Promise<Ok | Failure> {
  const touched: number[] = [];
  const res = tx((): Ok | Failure => {
    const u = target(userId);
    if (!u) return fail("not_found", "No such user.");
    if (u.id === mod.id) return fail("invalid", "You cannot ban yourself.");
    if (RANK[u.role] >= RANK[mod.role]) return fail("forbidden", "You can only ban people with a lower role than yours.");
    if (u.banned) return fail("conflict", "This user is already banned.");
    db().update(users).set({ banned: true }).where(eq(users.id, userId)).run();
    db().delete(sessions).where(eq(sessions.userId, userId)).run();
    if (withdrawBallots) touched.push(...withdrawAllBallotsInTransaction(userId));
    logAction(mod.id, "user.ban", "user", userId, reason, { withdrawnBallots: touched.length });
    return { ok: true };
  });
  for (const p of touched) notifyPollChanged(p);
  return res;
}

export async function unbanUser(mod: { id: string; role: Role }, userId: string, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    const u = target(userId);
    if (!u) return fail("not_found", "No such user.");
    if (!u.banned) return fail("conflict", "This user is not banned.");
    if (RANK[u.role] >= RANK[mod.role]) return fail("forbidden", "You can only unban people with a lower role than yours.");
    db().update(users).set({ banned: false }).where(eq(users.id, userId)).run();
    logAction(mod.id, "user.unban", "user", userId, reason);
    return { ok: true as const };
  });
}

export async function changeRole(adminId: string, userId: string, role: Role, reason: string | null): Promise<Ok | Failure> {
  return tx(() => {
    const u = target(userId);
    if (!u) return fail("not_found", "No such user.");
    if (u.id === adminId) return fail("invalid", "You cannot change your own role.", "role");
    if (u.role === role) return { ok: true as const };
    db().update(users).set({ role }).where(eq(users.id, userId)).run();
    // A new role must take effect on the next request; sessions carry no role, so nothing to end.
    logAction(adminId, "user.role", "user", userId, reason, { from: u.role, to: role });
    return { ok: true as const };
  });
}

export async function listUsers(query: string, limit = 50) {
  const q = query.trim().toLowerCase();
  return db()
    .select({ id: users.id, username: users.username, role: users.role, banned: users.banned, createdAt: users.createdAt })
    .from(users)
    .where(q ? sql`lower(${users.username}) like ${`%${q.replace(/[%_\\]/g, "\\$&")}%`} escape '\\'` : sql`${users.deletedAt} is null`)
    .orderBy(desc(users.createdAt))
    .limit(limit)
    .all();
}

// ---------------------------------------------------------------- the log

export async function listLog(limit = 100, before: number | null = null) {
  return db().all<{ id: number; actor: string | null; action: string; target_type: string; target_id: string; reason: string | null; details: string | null; created_at: number }>(sql`
    select l.id, u.username as actor, l.action, l.target_type, l.target_id, l.reason, l.details, l.created_at
    from moderation_log l left join users u on u.id = l.actor_id
    ${before ? sql`where l.id < ${before}` : sql``}
    order by l.id desc limit ${limit}`);
}

/** Public, nameless counts of removals and bans per month. */
export async function moderationStats() {
  return db().all<{ month: string; removals: number; bans: number }>(sql`
    select strftime('%Y-%m', created_at / 1000, 'unixepoch') as month,
           sum(action = 'comment.remove') as removals,
           sum(action = 'user.ban') as bans
    from moderation_log
    where action in ('comment.remove', 'user.ban')
    group by 1 order by 1 desc limit 36`);
}

/** For the command line (`npm run user:role`): sets a role by username, logged with no actor. */
export async function setRoleByUsername(username: string, role: Role): Promise<Ok | Failure> {
  return tx(() => {
    const u = db().select({ id: users.id, role: users.role }).from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`).get();
    if (!u) return fail("not_found", `No user named "${username}".`);
    db().update(users).set({ role }).where(eq(users.id, u.id)).run();
    logAction(null, "user.role", "user", u.id, "set from the command line", { from: u.role, to: role });
    return { ok: true as const };
  });
}

import { eq, sql } from "drizzle-orm";
import { db, transaction } from "../../db/client";
import { comments, moderationLog, reports } from "../../db/schema/sqlite";
import { removeComment } from "./comments.server";
import { fail, type Failure, type Ok } from "./outcome";

// Reports from members, and the moderation log every moderator and admin
// action writes in its own transaction.

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


export async function reportComment(userId: string, commentId: number, reason: string): Promise<Ok | Failure> {
  return transaction(() => {
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
  return transaction(() => {
    const r = db().select({ status: reports.status }).from(reports).where(eq(reports.id, reportId)).get();
    if (!r) return fail("not_found", "No such report.");
    if (r.status !== "open") return fail("conflict", "This report was already handled.");
    db().update(reports).set({ status: "dismissed", handledBy: modId, handledAt: Date.now() }).where(eq(reports.id, reportId)).run();
    logAction(modId, "report.dismiss", "report", reportId, reason);
    return { ok: true as const };
  });
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

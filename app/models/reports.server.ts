import { and, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { changes, db, forUpdate, rows, transaction } from "../../db/client";
import { comments, reports } from "../../db/schema";
import { bumpCounts, removeComment } from "./comments.server";
import { touchTopic } from "./data-versions.server";
import { notifyOfHandledReports } from "./notifications.server";
import { logAction } from "./moderation-log.server";
import { fail, type Failure, type Ok } from "./outcome";

// Reports from members, and how moderators handle them.

/**
 * Open reports from this many members hide a comment until a moderator
 * decides (issue 28, as Discourse's flags): removed with no moderator named,
 * shown to everyone as waiting for one. Removing it makes it the moderator's
 * removal; dismissing a report brings it back.
 */
export const REPORTS_TO_HIDE = 3;

export async function reportComment(userId: string, commentId: number, reason: string): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [c] = await forUpdate(tx.select({ authorId: comments.authorId, deletedAt: comments.deletedAt, removedAt: comments.removedAt, topicId: comments.topicId, pollId: comments.pollId }).from(comments).where(eq(comments.id, commentId)));
    if (!c) return fail("not_found", "No such comment.");
    if (c.authorId === userId) return fail("invalid", "You cannot report your own comment.");
    if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "This comment is already gone.");
    // The unique index on (comment, reporter) decides, even between two requests at once.
    const res = await tx.insert(reports).values({ commentId, reporterId: userId, reason, createdAt: Date.now() }).onConflictDoNothing();
    if (changes(res) === 0) return fail("conflict", "You have already reported this comment.");
    const [open] = await tx.select({ n: count() }).from(reports).where(and(eq(reports.commentId, commentId), eq(reports.status, "open")));
    if (Number(open.n) >= REPORTS_TO_HIDE) {
      touchTopic(tx, c.topicId);
      await tx.update(comments).set({ removedAt: Date.now(), removedBy: null }).where(eq(comments.id, commentId));
      await bumpCounts(tx, c.topicId, c.pollId, -1);
      await logAction(tx, null, "comment.hide_reports", "comment", commentId, `${REPORTS_TO_HIDE} members' reports`);
    }
    return { ok: true as const };
  });
}

export async function listOpenReports() {
  const open = await rows<{
    id: number;
    reason: string;
    created_at: number;
    reporter: string;
    comment_id: number;
    body_html: string;
    author: string;
    author_id: string;
    author_banned: number | boolean;
    comment_created_at: number;
    topic_slug: string;
    poll_slug: string | null;
    removed_at: number | null;
    report_count: number;
  }>(db(), sql`
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
  // SQLite answers 0 or 1 for a boolean column, PostgreSQL true or false.
  return open.map((r) => ({ ...r, author_banned: Boolean(r.author_banned) }));
}

/** A moderator's answer to an open report: dismiss it, or remove the comment (which closes every report on it). */
export async function handleReport(modId: string, reportId: number, action: "dismiss" | "remove", reason: string | null): Promise<Ok | Failure> {
  const [r] = await db().select({ commentId: reports.commentId, status: reports.status, reason: reports.reason }).from(reports).where(eq(reports.id, reportId));
  if (!r) return fail("not_found", "No such report.");
  if (r.status !== "open") return fail("conflict", "This report was already handled.");
  return action === "dismiss" ? dismissReport(modId, reportId, reason) : removeComment(modId, r.commentId, reason ?? r.reason);
}

async function dismissReport(modId: string, reportId: number, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    // Only an open report changes: of two moderators at once, one dismisses it.
    const now = Date.now();
    const handled = await tx
      .update(reports)
      .set({ status: "dismissed", handledBy: modId, handledAt: now })
      .where(and(eq(reports.id, reportId), eq(reports.status, "open")))
      .returning({ reporterId: reports.reporterId, commentId: reports.commentId });
    if (handled.length === 0) return fail("conflict", "This report was already handled.");
    // A comment that reports hid: the moderator decided it stays, so it is back, and so are its other reports' answers.
    const [held] = await forUpdate(
      tx.select({ topicId: comments.topicId, pollId: comments.pollId, deletedAt: comments.deletedAt }).from(comments).where(and(eq(comments.id, handled[0].commentId), isNotNull(comments.removedAt), isNull(comments.removedBy), isNull(comments.heldAt))),
    );
    if (held) {
      touchTopic(tx, held.topicId);
      await tx.update(comments).set({ removedAt: null }).where(eq(comments.id, handled[0].commentId));
      if (held.deletedAt === null) await bumpCounts(tx, held.topicId, held.pollId, 1);
      handled.push(
        ...(await tx
          .update(reports)
          .set({ status: "dismissed", handledBy: modId, handledAt: now })
          .where(and(eq(reports.commentId, handled[0].commentId), eq(reports.status, "open")))
          .returning({ reporterId: reports.reporterId, commentId: reports.commentId })),
      );
      await logAction(tx, modId, "comment.restore", "comment", handled[0].commentId, reason ?? "kept after members' reports");
    }
    await notifyOfHandledReports(tx, handled, "dismissed", now);
    await logAction(tx, modId, "report.dismiss", "report", reportId, reason);
    return { ok: true as const };
  });
}

import { and, eq, inArray, sql } from "drizzle-orm";
import { changes, db, rows, transaction, type DB } from "../../db/client";
import { comments, moderationLog, pollOptions, reports } from "../../db/schema";
import { removeComment } from "./comments.server";
import { notifyOfHandledReports } from "./notifications.server";
import { fail, type Failure, type Ok } from "./outcome";

// Reports from members, and the moderation log every moderator and admin
// action writes in its own transaction.

/** Inside the action's transaction: who did what to which target, why, when. */
export async function logAction(tx: DB, actorId: string | null, action: string, targetType: string, targetId: string | number, reason: string | null, details?: unknown) {
  await tx.insert(moderationLog)
    .values({
      actorId,
      action,
      targetType,
      targetId: String(targetId),
      reason: reason || null,
      details: details === undefined ? null : JSON.stringify(details),
      createdAt: Date.now(),
    });
}


export async function reportComment(userId: string, commentId: number, reason: string): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [c] = await tx.select({ authorId: comments.authorId, deletedAt: comments.deletedAt, removedAt: comments.removedAt }).from(comments).where(eq(comments.id, commentId));
    if (!c) return fail("not_found", "No such comment.");
    if (c.authorId === userId) return fail("invalid", "You cannot report your own comment.");
    if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "This comment is already gone.");
    // The unique index on (comment, reporter) decides, even between two requests at once.
    const res = await tx.insert(reports).values({ commentId, reporterId: userId, reason, createdAt: Date.now() }).onConflictDoNothing();
    if (changes(res) === 0) return fail("conflict", "You have already reported this comment.");
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
    await notifyOfHandledReports(tx, handled, "dismissed", now);
    await logAction(tx, modId, "report.dismiss", "report", reportId, reason);
    return { ok: true as const };
  });
}

// ---------------------------------------------------------------- the log

/** The log, newest first, with the names of the people, topics and polls it points at (ids only where the target is gone). */
export async function listLog(limit = 100, before: number | null = null) {
  const entries = await rows<{
    id: number;
    actor: string | null;
    action: string;
    target_type: string;
    target_id: string;
    target_user: string | null;
    target_topic: string | null;
    target_poll: string | null;
    reason: string | null;
    details: string | null;
    created_at: number;
  }>(db(), sql`
    select l.id, u.username as actor, l.action, l.target_type, l.target_id,
      tu.username as target_user, tt.title as target_topic, tp.question as target_poll,
      l.reason, l.details, l.created_at
    from moderation_log l
    left join users u on u.id = l.actor_id
    left join users tu on l.target_type = 'user' and tu.id = l.target_id
    left join topics tt on l.target_type = 'topic' and cast(tt.id as text) = l.target_id
    left join polls tp on l.target_type = 'poll' and cast(tp.id as text) = l.target_id
    ${before ? sql`where l.id < ${before}` : sql``}
    order by l.id desc limit ${limit}`);
  // A resolution names its outcome by option id: read the labels, so the log says "outcome: Yes", not "67" (issue 23).
  const optionIds = entries.map((e) => /"optionId":(\d+)/.exec(e.details ?? "")?.[1]).filter((id): id is string => id !== undefined).map(Number);
  const labels = new Map<number, string>();
  if (optionIds.length) {
    for (const o of await db().select({ id: pollOptions.id, label: pollOptions.label }).from(pollOptions).where(inArray(pollOptions.id, [...new Set(optionIds)]))) labels.set(o.id, o.label);
  }
  return entries.map((e) => ({
    id: e.id,
    createdAt: e.created_at,
    actor: e.actor,
    action: e.action,
    targetType: e.target_type,
    targetId: e.target_id,
    targetName: e.target_user ?? e.target_topic ?? e.target_poll,
    reason: e.reason,
    details: readDetails(e.details, labels),
  }));
}

/** The log's JSON details as label and value pairs a person can read. */
function readDetails(json: string | null, optionLabels: Map<number, string> = new Map()): { label: string; value: string }[] {
  if (!json) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [{ label: "details", value: json }];
  }
  if (!parsed || typeof parsed !== "object") return [{ label: "details", value: String(parsed) }];
  const o = parsed as Record<string, unknown>;
  const out: { label: string; value: string }[] = [];
  if ("from" in o && "to" in o) out.push({ label: "role", value: `${String(o.from)} → ${String(o.to)}` });
  for (const [k, v] of Object.entries(o)) {
    if (k === "from" || k === "to" || v === null || v === undefined) continue;
    if (k === "optionId") {
      out.push({ label: "outcome", value: optionLabels.get(Number(v)) ?? `option ${String(v)} (since deleted)` });
      continue;
    }
    const label = k === "withdrawnBallots" ? "votes withdrawn" : k === "sourceUrl" ? "source" : k;
    out.push({ label, value: typeof v === "object" ? JSON.stringify(v) : String(v) });
  }
  return out;
}

/** Public, nameless counts of removals and bans per month. */
export async function moderationStats() {
  const months = await rows<{ created_at: number; action: string }>(
    db(),
    sql`select created_at, action from moderation_log where action in ('comment.remove', 'user.ban') order by id`,
  );
  // Grouped here: month arithmetic is spelled differently on each engine, and the log is small.
  const byMonth = new Map<string, { month: string; removals: number; bans: number }>();
  for (const r of months) {
    const month = new Date(r.created_at).toISOString().slice(0, 7);
    const m = byMonth.get(month) ?? { month, removals: 0, bans: 0 };
    if (r.action === "comment.remove") m.removals++;
    else m.bans++;
    byMonth.set(month, m);
  }
  return [...byMonth.values()].sort((a, b) => b.month.localeCompare(a.month)).slice(0, 36);
}

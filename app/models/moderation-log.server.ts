import { inArray, sql } from "drizzle-orm";
import { db, rows, type DB } from "../../db/client";
import { moderationLog, pollOptions } from "../../db/schema";

// The moderation log: every moderator and admin action writes one row in its
// own transaction; admins read it, and the public sees monthly counts. Its
// own module, so the models that log (comments, polls, users…) and the one
// that handles reports do not import each other (issue 24).

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

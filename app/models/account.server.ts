import { verify } from "@node-rs/argon2";
import { eq, sql } from "drizzle-orm";
import { db, transaction } from "../../db/client";
import { ballotHistory, sessions, users } from "../../db/schema/sqlite";
import { withdrawAllBallotsInTransaction } from "./ballots.server";
import { eraseCommentsOfUserInTransaction, removeVotesOfUserInTransaction } from "./comments.server";
import { notifyPollChanged } from "./events.server";
import { hashPassword } from "./users.server";
import type { Failure } from "./outcome";


async function checkPassword(userId: string, password: string): Promise<boolean> {
  const row = db().select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)).get();
  return !!row && (await verify(row.hash, password).catch(() => false));
}

/** Needs the current password. The caller ends the other sessions. */
export async function changePassword(userId: string, current: string, next: string): Promise<{ ok: true } | Failure> {
  if (!(await checkPassword(userId, current))) return { ok: false, code: "invalid", field: "current", message: "That is not your current password." };
  const hash = await hashPassword(next);
  db().update(users).set({ passwordHash: hash }).where(eq(users.id, userId)).run();
  return { ok: true };
}

/**
 * Deletes an account in one transaction: comments become "[deleted]" in
 * place, ballots are withdrawn with the tallies, comment votes are taken
 * back, sessions end. The username stays reserved (docs/decisions/007).
 */
export async function deleteAccount(userId: string, password: string): Promise<{ ok: true } | Failure> {
  if (!(await checkPassword(userId, password))) return { ok: false, code: "invalid", field: "current", message: "That is not your password." };
  const now = Date.now();
  const touched = transaction(
    () => {
      const polls = withdrawAllBallotsInTransaction(userId, now);
      db().delete(ballotHistory).where(eq(ballotHistory.userId, userId)).run();
      eraseCommentsOfUserInTransaction(userId, now);
      removeVotesOfUserInTransaction(userId);
      db().delete(sessions).where(eq(sessions.userId, userId)).run();
      // An unusable hash: no password verifies against it.
      db().update(users).set({ deletedAt: now, passwordHash: "!deleted" }).where(eq(users.id, userId)).run();
      return polls;
    },
  );
  for (const p of touched) notifyPollChanged(p);
  return { ok: true };
}

/** Everything Pulse holds about a user, as plain data. */
export async function exportUserData(userId: string) {
  const conn = db();
  const profile = conn.select({ username: users.username, role: users.role, createdAt: users.createdAt }).from(users).where(eq(users.id, userId)).get();
  if (!profile) return null;
  const ballots = conn.all<{ poll: string; question: string; topic: string; choices: string; created_at: number; updated_at: number }>(sql`
    select p.slug as poll, p.question, t.slug as topic, json_group_array(o.label) as choices, b.created_at, b.updated_at
    from ballots b join polls p on p.id = b.poll_id join topics t on t.id = p.topic_id
    join ballot_choices c on c.ballot_id = b.id join poll_options o on o.id = c.option_id
    where b.user_id = ${userId} group by b.id order by b.created_at`);
  const history = conn.all<{ poll: string; action: string; option_ids: string; at: number }>(sql`
    select p.slug as poll, h.action, h.option_ids, h.at from ballot_history h join polls p on p.id = h.poll_id
    where h.user_id = ${userId} order by h.id`);
  const labels = new Map(conn.all<{ id: number; label: string }>(sql`select id, label from poll_options`).map((o) => [o.id, o.label]));
  const comments = conn.all<{ id: number; topic: string; poll: string | null; parent_id: number | null; body_md: string; created_at: number; edited_at: number | null; deleted_at: number | null; removed_at: number | null }>(sql`
    select c.id, t.slug as topic, p.slug as poll, c.parent_id, c.body_md, c.created_at, c.edited_at, c.deleted_at, c.removed_at
    from comments c join topics t on t.id = c.topic_id left join polls p on p.id = c.poll_id
    where c.author_id = ${userId} order by c.id`);
  const revisions = conn.all<{ comment_id: number; body_md: string; created_at: number }>(sql`
    select r.comment_id, r.body_md, r.created_at from comment_revisions r join comments c on c.id = r.comment_id
    where c.author_id = ${userId} and c.removed_at is null order by r.id`);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    exportedAt: new Date().toISOString(),
    profile: { username: profile.username, role: profile.role, createdAt: iso(profile.createdAt) },
    ballots: ballots.map((b) => ({
      topic: b.topic,
      poll: b.poll,
      question: b.question,
      choices: JSON.parse(b.choices) as string[],
      createdAt: iso(b.created_at),
      updatedAt: iso(b.updated_at),
      history: history
        .filter((h) => h.poll === b.poll)
        .map((h) => ({ action: h.action, choices: (JSON.parse(h.option_ids) as number[]).map((id) => labels.get(id) ?? `option ${id}`), at: iso(h.at) })),
    })),
    // History of polls the user no longer has a ballot in (withdrawn answers).
    withdrawnHistory: history
      .filter((h) => !ballots.some((b) => b.poll === h.poll))
      .map((h) => ({ poll: h.poll, action: h.action, choices: (JSON.parse(h.option_ids) as number[]).map((id) => labels.get(id) ?? `option ${id}`), at: iso(h.at) })),
    comments: comments.map((c) => ({
      id: c.id,
      topic: c.topic,
      poll: c.poll,
      parentId: c.parent_id,
      // Removed by a moderator: the text is withheld from every export.
      body: c.removed_at !== null ? null : c.deleted_at !== null ? null : c.body_md,
      state: c.removed_at !== null ? "removed" : c.deleted_at !== null ? "deleted" : "live",
      createdAt: iso(c.created_at),
      editedAt: iso(c.edited_at),
      revisions: revisions.filter((r) => r.comment_id === c.id).map((r) => ({ body: r.body_md, at: iso(r.created_at) })),
    })),
  };
}

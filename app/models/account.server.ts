import { verify } from "@node-rs/argon2";
import { asc, eq, sql } from "drizzle-orm";
import { db, rows, transaction } from "../../db/client";
import { ballotChoices, ballotHistory, ballots as ballotTable, pollOptions, polls, sessions, topics, users } from "../../db/schema";
import { withdrawAllBallotsInTransaction } from "./ballots.server";
import { eraseStatementsOfUserInTransaction, statementsOfUser } from "./statements.server";
import { touchEverything } from "./data-versions.server";
import { eraseCommentsOfUserInTransaction, removeVotesOfUserInTransaction } from "./comments.server";
import { notifyPollChanged } from "./events.server";
import { guessablePassword } from "../lib/common-passwords.server";
import { hashPassword } from "./users.server";
import type { Failure } from "./outcome";


/** Whether `password` is the person's current password. */
export async function checkPassword(userId: string, password: string): Promise<boolean> {
  const [row] = await db().select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return !!row && (await verify(row.hash, password).catch(() => false));
}

/** Needs the current password. The caller ends the other sessions. */
export async function changePassword(userId: string, current: string, next: string): Promise<{ ok: true } | Failure> {
  if (!(await checkPassword(userId, current))) return { ok: false, code: "invalid", field: "current", message: "That is not your current password." };
  const [me] = await db().select({ username: users.username }).from(users).where(eq(users.id, userId));
  const problem = guessablePassword(next, me?.username ?? null);
  if (problem) return { ok: false, code: "invalid", field: "password", message: problem };
  const hash = await hashPassword(next);
  await transaction((tx) => tx.update(users).set({ passwordHash: hash }).where(eq(users.id, userId)));
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
  const touched = await transaction(async (tx) => {
    touchEverything(tx);
    const withdrawn = await withdrawAllBallotsInTransaction(tx, userId, now);
    await tx.delete(ballotHistory).where(eq(ballotHistory.userId, userId));
    await eraseCommentsOfUserInTransaction(tx, userId, now);
    await removeVotesOfUserInTransaction(tx, userId);
    await eraseStatementsOfUserInTransaction(tx, userId, now);
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    // An unusable hash: no password verifies against it.
    await tx.update(users).set({ deletedAt: now, passwordHash: "!deleted" }).where(eq(users.id, userId));
    return withdrawn;
  });
  for (const p of touched) notifyPollChanged(p);
  return { ok: true };
}

/** Everything Pulse holds about a user, as plain data. */
export async function exportUserData(userId: string) {
  const conn = db();
  const [profile] = await conn.select({ username: users.username, role: users.role, createdAt: users.createdAt }).from(users).where(eq(users.id, userId));
  if (!profile) return null;
  const picks = await conn
    .select({
      id: ballotTable.id,
      poll: polls.slug,
      question: polls.question,
      topic: topics.slug,
      label: pollOptions.label,
      created_at: ballotTable.createdAt,
      updated_at: ballotTable.updatedAt,
    })
    .from(ballotTable)
    .innerJoin(polls, eq(polls.id, ballotTable.pollId))
    .innerJoin(topics, eq(topics.id, polls.topicId))
    .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballotTable.id))
    .innerJoin(pollOptions, eq(pollOptions.id, ballotChoices.optionId))
    .where(eq(ballotTable.userId, userId))
    // A ranked ballot's choices in rank order.
    .orderBy(asc(ballotTable.createdAt), asc(ballotTable.id), asc(ballotChoices.rank), asc(pollOptions.position));
  const ballots: { poll: string; question: string; topic: string; choices: string[]; created_at: number; updated_at: number }[] = [];
  for (const [i, p] of picks.entries()) {
    if (i > 0 && picks[i - 1].id === p.id) ballots[ballots.length - 1].choices.push(p.label);
    else ballots.push({ ...p, choices: [p.label] });
  }
  const history = await rows<{ poll: string; action: string; option_ids: string; at: number }>(conn, sql`
    select p.slug as poll, h.action, h.option_ids, h.at from ballot_history h join polls p on p.id = h.poll_id
    where h.user_id = ${userId} order by h.id`);
  const labels = new Map((await rows<{ id: number; label: string }>(conn, sql`select id, label from poll_options`)).map((o) => [o.id, o.label]));
  const comments = await rows<{ id: number; topic: string; poll: string | null; parent_id: number | null; body_md: string; created_at: number; edited_at: number | null; deleted_at: number | null; removed_at: number | null }>(conn, sql`
    select c.id, t.slug as topic, p.slug as poll, c.parent_id, c.body_md, c.created_at, c.edited_at, c.deleted_at, c.removed_at
    from comments c join topics t on t.id = c.topic_id left join polls p on p.id = c.poll_id
    where c.author_id = ${userId} order by c.id`);
  const revisions = await rows<{ comment_id: number; body_md: string; created_at: number }>(conn, sql`
    select r.comment_id, r.body_md, r.created_at from comment_revisions r join comments c on c.id = r.comment_id
    where c.author_id = ${userId} and c.removed_at is null order by r.id`);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const mine = await statementsOfUser(userId);
  return {
    // People's statements (issue 28): those written, and every rating given.
    statements: mine.written.map((s) => ({ ...s, createdAt: iso(s.createdAt) })),
    statementRatings: mine.ratings.map((r) => ({ ...r, updatedAt: iso(r.updatedAt) })),
    exportedAt: new Date().toISOString(),
    profile: { username: profile.username, role: profile.role, createdAt: iso(profile.createdAt) },
    ballots: ballots.map((b) => ({
      topic: b.topic,
      poll: b.poll,
      question: b.question,
      choices: b.choices,
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

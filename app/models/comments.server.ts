import { and, desc, eq, sql } from "drizzle-orm";
import { db, prepared, transaction } from "../../db/client";
import { commentRevisions, comments, commentVotes, pollOptions, polls, reports, topics } from "../../db/schema/sqlite";
import { MarkdownTooDeep, renderMarkdown } from "../lib/markdown.server";
import { controversy, wilsonLowerBound } from "../lib/ranking";
import { fail, type Failure, type Ok } from "./outcome";

// Writing comments: posts, edits, deletions, votes, and moderators' removals
// and thread locks. Reading threads lives in threads.server.ts.
import { logAction } from "./reports.server";


export const COMMENT_INTERVAL_MS = 5_000;

const q = {
  topic: prepared((c) =>
    c.select({ id: topics.id, locked: topics.locked }).from(topics).where(eq(topics.id, sql.placeholder("id"))).prepare(),
  ),
  poll: prepared((c) =>
    c
      .select({ id: polls.id, topicId: polls.topicId, locked: polls.commentsLocked })
      .from(polls)
      .where(eq(polls.id, sql.placeholder("id")))
      .prepare(),
  ),
  comment: prepared((c) => c.select().from(comments).where(eq(comments.id, sql.placeholder("id"))).prepare()),
  lastByAuthor: prepared((c) =>
    c
      .select({ createdAt: comments.createdAt })
      .from(comments)
      .where(eq(comments.authorId, sql.placeholder("userId")))
      .orderBy(desc(comments.createdAt))
      .limit(1)
      .prepare(),
  ),
};

export type PostInput = {
  userId: string;
  topicId: number;
  pollId: number | null;
  parentId: number | null;
  body: string;
  stanceOptionId: number | null;
};

export function bumpCounts(topicId: number, pollId: number | null, delta: number) {
  const conn = db();
  conn.update(topics).set({ commentCount: sql`${topics.commentCount} + ${delta}` }).where(eq(topics.id, topicId)).run();
  if (pollId !== null) {
    conn.update(polls).set({ commentCount: sql`${polls.commentCount} + ${delta}` }).where(eq(polls.id, pollId)).run();
  }
}

function render(body: string): string | Failure {
  try {
    return renderMarkdown(body);
  } catch (err) {
    if (err instanceof MarkdownTooDeep) return fail("invalid", err.message, "body");
    throw err;
  }
}

/** Inside a transaction: a locked thread is frozen (no comments, edits or votes); moderators still remove. */
function lockedThread(topicId: number, pollId: number | null): Failure | null {
  if (q.topic().get({ id: topicId })?.locked) return fail("conflict", "This discussion is locked.");
  if (pollId !== null && q.poll().get({ id: pollId })?.locked) return fail("conflict", "This thread is locked.");
  return null;
}

/** Posts a comment or reply. Rate limit, lock and thread checks happen in the write transaction. */
export async function postComment(input: PostInput, now = Date.now()): Promise<{ ok: true; id: number } | Failure> {
  const body = input.body.trim();
  if (body.length === 0) return fail("invalid", "Write something first.", "body");
  if (body.length > 10_000) return fail("invalid", "Keep it under 10,000 characters.", "body");
  const html = render(body);
  if (typeof html !== "string") return html;
  const conn = db();
  return transaction(
    (): { ok: true; id: number } | Failure => {
      const topic = q.topic().get({ id: input.topicId });
      if (!topic) return fail("not_found", "No such topic.");
      if (topic.locked) return fail("conflict", "This discussion is locked: no new comments.");
      if (input.pollId !== null) {
        const poll = q.poll().get({ id: input.pollId });
        if (!poll || poll.topicId !== input.topicId) return fail("not_found", "No such poll.");
        if (poll.locked) return fail("conflict", "This thread is locked: no new comments.");
      }
      let depth = 0;
      if (input.parentId !== null) {
        const parent = q.comment().get({ id: input.parentId });
        if (!parent || parent.topicId !== input.topicId || parent.pollId !== input.pollId) {
          return fail("not_found", "The comment you are replying to is not in this thread.", "parent");
        }
        if (parent.deletedAt !== null || parent.removedAt !== null) return fail("conflict", "You cannot reply to a deleted comment.");
        depth = parent.depth + 1;
      }
      if (input.stanceOptionId !== null) {
        if (input.pollId === null) return fail("invalid", "A stance needs a poll's thread.", "stance");
        const opt = conn
          .select({ pollId: pollOptions.pollId })
          .from(pollOptions)
          .where(eq(pollOptions.id, input.stanceOptionId))
          .get();
        if (!opt || opt.pollId !== input.pollId) return fail("invalid", "That stance is not an answer to this question.", "stance");
      }
      const last = q.lastByAuthor().get({ userId: input.userId });
      if (last && now - last.createdAt < COMMENT_INTERVAL_MS) {
        const wait = Math.ceil((COMMENT_INTERVAL_MS - (now - last.createdAt)) / 1000);
        return fail("rate_limited", `You are posting too fast. Try again in ${wait} second${wait === 1 ? "" : "s"}.`, "body", wait);
      }
      const row = conn
        .insert(comments)
        .values({
          topicId: input.topicId,
          pollId: input.pollId,
          parentId: input.parentId,
          depth,
          authorId: input.userId,
          stanceOptionId: input.stanceOptionId,
          bodyMd: body,
          bodyHtml: html,
          createdAt: now,
        })
        .returning({ id: comments.id })
        .get();
      conn.insert(commentRevisions).values({ commentId: row.id, bodyMd: body, createdAt: now }).run();
      if (input.parentId !== null) {
        conn.update(comments).set({ replyCount: sql`${comments.replyCount} + 1` }).where(eq(comments.id, input.parentId)).run();
      }
      bumpCounts(input.topicId, input.pollId, 1);
      return { ok: true, id: row.id };
    },
  );
}

/** Only the author edits; every version is kept. */
export async function editComment(userId: string, id: number, rawBody: string, now = Date.now()): Promise<{ ok: true } | Failure> {
  const body = rawBody.trim();
  if (body.length === 0) return fail("invalid", "Write something first.", "body");
  if (body.length > 10_000) return fail("invalid", "Keep it under 10,000 characters.", "body");
  const html = render(body);
  if (typeof html !== "string") return html;
  const conn = db();
  return transaction(
    (): { ok: true } | Failure => {
      const c = q.comment().get({ id });
      if (!c) return fail("not_found", "No such comment.");
      if (c.authorId !== userId) return fail("forbidden", "Only the author can edit this comment.");
      if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "A deleted comment cannot be edited.");
      const locked = lockedThread(c.topicId, c.pollId);
      if (locked) return locked;
      if (c.bodyMd === body) return { ok: true };
      conn.update(comments).set({ bodyMd: body, bodyHtml: html, editedAt: now }).where(eq(comments.id, id)).run();
      conn.insert(commentRevisions).values({ commentId: id, bodyMd: body, createdAt: now }).run();
      return { ok: true };
    },
  );
}

/** Soft delete by the author: the text and its history are erased; replies keep their place. */
export async function deleteComment(userId: string, id: number, now = Date.now()): Promise<{ ok: true } | Failure> {
  return transaction(
    (): { ok: true } | Failure => {
      const c = q.comment().get({ id });
      if (!c) return fail("not_found", "No such comment.");
      if (c.authorId !== userId) return fail("forbidden", "Only the author can delete this comment.");
      if (c.deletedAt !== null) return { ok: true };
      eraseText(id, now);
      if (c.removedAt === null) bumpCounts(c.topicId, c.pollId, -1);
      return { ok: true };
    },
  );
}

/** Inside a transaction: blanks a comment's text and revisions (account deletion uses it too). */
export function eraseText(id: number, now: number) {
  const conn = db();
  conn.update(comments).set({ bodyMd: "", bodyHtml: "", deletedAt: now, stanceOptionId: null }).where(eq(comments.id, id)).run();
  conn.delete(commentRevisions).where(eq(commentRevisions.commentId, id)).run();
}

/** Up or down; the same vote again withdraws it; never on your own comment. */
export async function voteOnComment(userId: string, id: number, value: 1 | -1, now = Date.now()) {
  const conn = db();
  return transaction(
    (): { ok: true; myVote: -1 | 0 | 1; ups: number; downs: number } | Failure => {
      const c = q.comment().get({ id });
      if (!c) return fail("not_found", "No such comment.");
      if (c.authorId === userId) return fail("forbidden", "You cannot vote on your own comment.");
      if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "This comment was deleted.");
      const locked = lockedThread(c.topicId, c.pollId);
      if (locked) return locked;
      const existing = conn
        .select({ value: commentVotes.value })
        .from(commentVotes)
        .where(and(eq(commentVotes.commentId, id), eq(commentVotes.userId, userId)))
        .get();
      let ups = c.ups;
      let downs = c.downs;
      let myVote: -1 | 0 | 1 = value;
      if (existing) {
        if (existing.value === 1) ups--;
        else downs--;
        conn.delete(commentVotes).where(and(eq(commentVotes.commentId, id), eq(commentVotes.userId, userId))).run();
      }
      if (existing?.value === value) {
        myVote = 0;
      } else {
        conn.insert(commentVotes).values({ commentId: id, userId, value, createdAt: now }).run();
        if (value === 1) ups++;
        else downs++;
      }
      conn
        .update(comments)
        .set({ ups, downs, best: wilsonLowerBound(ups, downs), controversy: controversy(ups, downs) })
        .where(eq(comments.id, id))
        .run();
      return { ok: true, myVote, ups, downs };
    },
  );
}

export function removeVotesOfUserInTransaction(userId: string) {
  const conn = db();
  const votes = conn.select({ id: commentVotes.commentId, value: commentVotes.value }).from(commentVotes).where(eq(commentVotes.userId, userId)).all();
  for (const v of votes) {
    const c = conn.select({ ups: comments.ups, downs: comments.downs }).from(comments).where(eq(comments.id, v.id)).get();
    if (!c) continue;
    const ups = c.ups - (v.value === 1 ? 1 : 0);
    const downs = c.downs - (v.value === -1 ? 1 : 0);
    conn.update(comments).set({ ups, downs, best: wilsonLowerBound(ups, downs), controversy: controversy(ups, downs) }).where(eq(comments.id, v.id)).run();
  }
  conn.delete(commentVotes).where(eq(commentVotes.userId, userId)).run();
}

/** Inside a transaction: blanks every comment of a user; threads keep their shape. */
export function eraseCommentsOfUserInTransaction(userId: string, now: number) {
  const conn = db();
  const mine = conn.select({ id: comments.id, topicId: comments.topicId, pollId: comments.pollId, deletedAt: comments.deletedAt, removedAt: comments.removedAt }).from(comments).where(eq(comments.authorId, userId)).all();
  for (const c of mine) {
    if (c.deletedAt !== null) continue;
    eraseText(c.id, now);
    if (c.removedAt === null) bumpCounts(c.topicId, c.pollId, -1);
  }
}

// ---------------------------------------------------------------- moderation


export async function removeComment(modId: string, commentId: number, reason: string | null): Promise<Ok | Failure> {
  return transaction(() => {
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
  return transaction(() => {
    const c = db().select().from(comments).where(eq(comments.id, commentId)).get();
    if (!c) return fail("not_found", "No such comment.");
    if (c.removedAt === null) return fail("conflict", "This comment is not removed.");
    db().update(comments).set({ removedAt: null, removedBy: null }).where(eq(comments.id, commentId)).run();
    if (c.deletedAt === null) bumpCounts(c.topicId, c.pollId, 1);
    logAction(modId, "comment.restore", "comment", commentId, reason);
    return { ok: true as const };
  });
}

/** Locks or unlocks a thread: the topic's general discussion (pollId null) or one poll's. */
export async function setThreadLocked(modId: string, topicId: number, pollId: number | null, locked: boolean, reason: string | null): Promise<Ok | Failure> {
  return transaction(() => {
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

import { keepUnder, LIMITS, waitText } from "../lib/format";
import { and, desc, eq, sql } from "drizzle-orm";
import { changes, forUpdate, prepared, transaction, type DB } from "../../db/client";
import { commentRevisions, comments, commentVotes, pollOptions, polls, reports, topics, users } from "../../db/schema";
import { MarkdownTooDeep, renderMarkdown } from "../lib/markdown.server";
import { controversy, wilsonLowerBound } from "../lib/ranking";
import { mentionedNames, notifyOfComment, notifyOfHandledReports, resolveMentions, withdrawNotificationsOf } from "./notifications.server";
import { fail, type Failure, type Ok } from "./outcome";
import { touchTopic } from "./data-versions.server";
import { newAccountComment, newAccountContent, trustLevelOf } from "./trust.server";

// Writing comments: posts, edits, deletions, votes, and moderators' removals
// and thread locks. Reading threads lives in threads.server.ts.
import { logAction } from "./moderation-log.server";


export const COMMENT_INTERVAL_MS = 5_000;

const q = {
  topic: prepared("comments.topic", (c) =>
    c.select({ id: topics.id, locked: topics.locked }).from(topics).where(eq(topics.id, sql.placeholder("id"))),
  ),
  poll: prepared("comments.poll", (c) =>
    c.select({ id: polls.id, topicId: polls.topicId, locked: polls.commentsLocked }).from(polls).where(eq(polls.id, sql.placeholder("id"))),
  ),
  // Locked first by every change to a comment, so its counts are read and
  // written back by one transaction at a time.
  comment: prepared("comments.comment", (c) => forUpdate(c.select().from(comments).where(eq(comments.id, sql.placeholder("id"))))),
  // The author's row, locked: one post at a time per person, so the pace check holds.
  author: prepared("comments.author", (c) => forUpdate(c.select({ id: users.id }).from(users).where(eq(users.id, sql.placeholder("userId"))))),
  lastByAuthor: prepared("comments.lastByAuthor", (c) =>
    c
      .select({ createdAt: comments.createdAt })
      .from(comments)
      .where(eq(comments.authorId, sql.placeholder("userId")))
      .orderBy(desc(comments.createdAt))
      .limit(1),
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

export async function bumpCounts(tx: DB, topicId: number, pollId: number | null, delta: number) {
  touchTopic(tx, topicId);
  await tx.update(topics).set({ commentCount: sql`${topics.commentCount} + ${delta}` }).where(eq(topics.id, topicId));
  if (pollId !== null) {
    await tx.update(polls).set({ commentCount: sql`${polls.commentCount} + ${delta}` }).where(eq(polls.id, pollId));
  }
}

/** The people a text mentions who exist, and its HTML with their names linked. */
async function renderWithMentions(body: string): Promise<{ html: string; mentioned: string[] } | Failure> {
  const people = await resolveMentions(mentionedNames(body));
  const html = render(body, new Set(people.keys()));
  if (typeof html !== "string") return html;
  return { html, mentioned: [...people.values()].map((p) => p.id) };
}

function render(body: string, mentions: ReadonlySet<string>): string | Failure {
  try {
    return renderMarkdown(body, { mentions });
  } catch (err) {
    if (err instanceof MarkdownTooDeep) return fail("invalid", err.message, "body");
    throw err;
  }
}

/** Inside a transaction: a locked thread is frozen (no comments, edits or votes); moderators still remove. */
async function lockedThread(tx: DB, topicId: number, pollId: number | null): Promise<Failure | null> {
  if ((await q.topic(tx).get({ id: topicId }))?.locked) return fail("conflict", "This discussion is locked.");
  if (pollId !== null && (await q.poll(tx).get({ id: pollId }))?.locked) return fail("conflict", "This thread is locked.");
  return null;
}

/** Inside a transaction: a new account's comment checked against its limits; `hold` when it must wait for a moderator (trust.server.ts). */
async function trustGate(tx: DB, userId: string, html: string, mentioned: number, now: number): Promise<Failure | { hold: boolean }> {
  return (await trustLevelOf(tx, userId, now)) === "new" ? newAccountComment(tx, userId, html, mentioned, now) : { hold: false };
}

/**
 * Posts a comment or reply. Rate limit, lock, thread and trust checks happen
 * in the write transaction. A new account's comment that links out is held
 * (issue 28): written removed with no one named and `held_at` set, so no
 * public path shows it, counted nowhere and announced to no one until a
 * moderator accepts it (review.server.ts).
 */
export async function postComment(input: PostInput, now = Date.now()): Promise<{ ok: true; id: number; held: boolean } | Failure> {
  const body = input.body.trim();
  if (body.length === 0) return fail("invalid", "Write something first.", "body");
  if (body.length > LIMITS.comment) return fail("invalid", keepUnder(LIMITS.comment), "body");
  const rendered = await renderWithMentions(body);
  if ("ok" in rendered) return rendered;
  const html = rendered.html;
  return transaction(async (tx): Promise<{ ok: true; id: number; held: boolean } | Failure> => {
      const topic = await q.topic(tx).get({ id: input.topicId });
      if (!topic) return fail("not_found", "No such topic.");
      if (topic.locked) return fail("conflict", "This discussion is locked: no new comments.");
      if (input.pollId !== null) {
        const poll = await q.poll(tx).get({ id: input.pollId });
        if (!poll || poll.topicId !== input.topicId) return fail("not_found", "No such poll.");
        if (poll.locked) return fail("conflict", "This thread is locked: no new comments.");
      }
      let depth = 0;
      let parentAuthorId: string | null = null;
      if (input.parentId !== null) {
        const parent = await q.comment(tx).get({ id: input.parentId });
        if (!parent || parent.topicId !== input.topicId || parent.pollId !== input.pollId) {
          return fail("not_found", "The comment you are replying to is not in this thread.", "parent");
        }
        if (parent.deletedAt !== null || parent.removedAt !== null) return fail("conflict", "You cannot reply to a deleted comment.");
        depth = parent.depth + 1;
        parentAuthorId = parent.authorId;
      }
      if (input.stanceOptionId !== null) {
        if (input.pollId === null) return fail("invalid", "A stance needs a poll's thread.", "stance");
        const [opt] = await tx.select({ pollId: pollOptions.pollId }).from(pollOptions).where(eq(pollOptions.id, input.stanceOptionId));
        if (!opt || opt.pollId !== input.pollId) return fail("invalid", "That stance is not an answer to this question.", "stance");
      }
      await q.author(tx).get({ userId: input.userId });
      const last = await q.lastByAuthor(tx).get({ userId: input.userId });
      if (last && now - last.createdAt < COMMENT_INTERVAL_MS) {
        const wait = Math.ceil((COMMENT_INTERVAL_MS - (now - last.createdAt)) / 1000);
        return fail("rate_limited", `You are posting too fast. Try again ${waitText(wait)}.`, "body", wait);
      }
      const gate = await trustGate(tx, input.userId, html, rendered.mentioned.length, now);
      if ("code" in gate) return gate;
      const held = gate.hold ? { heldAt: now, removedAt: now } : {};
      const [row] = await tx
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
          ...held,
        })
        .returning({ id: comments.id });
      await tx.insert(commentRevisions).values({ commentId: row.id, bodyMd: body, createdAt: now });
      if (gate.hold) return { ok: true, id: row.id, held: true };
      await showComment(tx, { id: row.id, topicId: input.topicId, pollId: input.pollId, parentId: input.parentId, authorId: input.userId, parentAuthorId, mentionedIds: rendered.mentioned }, now);
      return { ok: true, id: row.id, held: false };
  });
}

/** Inside a transaction: a comment joins its thread (posted, or accepted from review): counts, activity, and the people it notifies. */
export async function showComment(
  tx: DB,
  c: { id: number; topicId: number; pollId: number | null; parentId: number | null; authorId: string; parentAuthorId: string | null; mentionedIds: string[] },
  now: number,
): Promise<void> {
  if (c.parentId !== null) await tx.update(comments).set({ replyCount: sql`${comments.replyCount} + 1` }).where(eq(comments.id, c.parentId));
  await bumpCounts(tx, c.topicId, c.pollId, 1);
  await tx.update(topics).set({ activeAt: now }).where(eq(topics.id, c.topicId));
  await notifyOfComment(tx, c, now);
}

/** Only the author edits; every version is kept. */
export async function editComment(userId: string, id: number, rawBody: string, now = Date.now()): Promise<{ ok: true } | Failure> {
  const body = rawBody.trim();
  if (body.length === 0) return fail("invalid", "Write something first.", "body");
  if (body.length > LIMITS.comment) return fail("invalid", keepUnder(LIMITS.comment), "body");
  const rendered = await renderWithMentions(body);
  if ("ok" in rendered) return rendered;
  const html = rendered.html;
  return transaction(async (tx): Promise<{ ok: true } | Failure> => {
    const c = await q.comment(tx).get({ id });
    if (!c) return fail("not_found", "No such comment.");
    if (c.authorId !== userId) return fail("forbidden", "Only the author can edit this comment.");
    if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "A deleted comment cannot be edited.");
    const locked = await lockedThread(tx, c.topicId, c.pollId);
    if (locked) return locked;
    if (c.bodyMd === body) return { ok: true };
    // A new account's edit meets the limits its post did; one that adds a link goes back to wait for a moderator.
    const gate = (await trustLevelOf(tx, userId, now)) === "new" ? newAccountContent(html, rendered.mentioned.length) : { hold: false };
    if ("code" in gate) return gate;
    touchTopic(tx, c.topicId);
    await tx.update(comments).set({ bodyMd: body, bodyHtml: html, editedAt: now, ...(gate.hold ? { heldAt: now, removedAt: now } : {}) }).where(eq(comments.id, id));
    await tx.insert(commentRevisions).values({ commentId: id, bodyMd: body, createdAt: now });
    if (gate.hold) {
      await bumpCounts(tx, c.topicId, c.pollId, -1);
      if (c.parentId !== null) await tx.update(comments).set({ replyCount: sql`${comments.replyCount} - 1` }).where(eq(comments.id, c.parentId));
    }
    return { ok: true };
  });
}

/** Soft delete by the author: the text and its history are erased; replies keep their place. */
export async function deleteComment(userId: string, id: number, now = Date.now()): Promise<{ ok: true } | Failure> {
  return transaction(async (tx): Promise<{ ok: true } | Failure> => {
    const c = await q.comment(tx).get({ id });
    if (!c) return fail("not_found", "No such comment.");
    if (c.authorId !== userId) return fail("forbidden", "Only the author can delete this comment.");
    if (c.deletedAt !== null) return { ok: true };
    touchTopic(tx, c.topicId);
    await eraseText(tx, id, now);
    if (c.removedAt === null) await bumpCounts(tx, c.topicId, c.pollId, -1);
    return { ok: true };
  });
}

/** Inside a transaction: blanks a comment's text and revisions (account deletion uses it too). */
export async function eraseText(tx: DB, id: number, now: number) {
  await tx.update(comments).set({ bodyMd: "", bodyHtml: "", deletedAt: now, stanceOptionId: null }).where(eq(comments.id, id));
  await tx.delete(commentRevisions).where(eq(commentRevisions.commentId, id));
  await withdrawNotificationsOf(tx, id);
}

/** Up or down; the same vote again withdraws it; never on your own comment. */
export async function voteOnComment(userId: string, id: number, value: 1 | -1, now = Date.now()) {
  return transaction(async (tx): Promise<{ ok: true; myVote: -1 | 0 | 1; ups: number; downs: number } | Failure> => {
      const c = await q.comment(tx).get({ id });
      if (!c) return fail("not_found", "No such comment.");
      if (c.authorId === userId) return fail("forbidden", "You cannot vote on your own comment.");
      if (c.deletedAt !== null || c.removedAt !== null) return fail("conflict", "This comment was deleted.");
      const locked = await lockedThread(tx, c.topicId, c.pollId);
      if (locked) return locked;
      const [existing] = await tx
        .select({ value: commentVotes.value })
        .from(commentVotes)
        .where(and(eq(commentVotes.commentId, id), eq(commentVotes.userId, userId)));
      let ups = c.ups;
      let downs = c.downs;
      let myVote: -1 | 0 | 1 = value;
      touchTopic(tx, c.topicId);
      if (existing) {
        if (existing.value === 1) ups--;
        else downs--;
        await tx.delete(commentVotes).where(and(eq(commentVotes.commentId, id), eq(commentVotes.userId, userId)));
      }
      if (existing?.value === value) {
        myVote = 0;
      } else {
        await tx.insert(commentVotes).values({ commentId: id, userId, value, createdAt: now });
        if (value === 1) ups++;
        else downs++;
      }
      await tx
        .update(comments)
        .set({ ups, downs, best: wilsonLowerBound(ups, downs), controversy: controversy(ups, downs) })
        .where(eq(comments.id, id));
      return { ok: true, myVote, ups, downs };
  });
}

export async function removeVotesOfUserInTransaction(tx: DB, userId: string) {
  const votes = await tx
    .select({ id: commentVotes.commentId, value: commentVotes.value })
    .from(commentVotes)
    .where(eq(commentVotes.userId, userId))
    .orderBy(commentVotes.commentId);
  for (const v of votes) {
    const c = await q.comment(tx).get({ id: v.id });
    if (!c) continue;
    const ups = c.ups - (v.value === 1 ? 1 : 0);
    const downs = c.downs - (v.value === -1 ? 1 : 0);
    await tx.update(comments).set({ ups, downs, best: wilsonLowerBound(ups, downs), controversy: controversy(ups, downs) }).where(eq(comments.id, v.id));
  }
  await tx.delete(commentVotes).where(eq(commentVotes.userId, userId));
}

/** Inside a transaction: blanks every comment of a user; threads keep their shape. */
export async function eraseCommentsOfUserInTransaction(tx: DB, userId: string, now: number) {
  const mine = await tx
    .select({ id: comments.id, topicId: comments.topicId, pollId: comments.pollId, deletedAt: comments.deletedAt, removedAt: comments.removedAt })
    .from(comments)
    .where(eq(comments.authorId, userId));
  for (const c of mine) {
    if (c.deletedAt !== null) continue;
    await eraseText(tx, c.id, now);
    if (c.removedAt === null) await bumpCounts(tx, c.topicId, c.pollId, -1);
  }
}

// ---------------------------------------------------------------- moderation


export async function removeComment(modId: string, commentId: number, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const c = await q.comment(tx).get({ id: commentId });
    if (!c) return fail("not_found", "No such comment.");
    // Hidden by members' reports (no moderator named): removing it is the moderator's decision, and it is counted out already.
    const held = c.removedAt !== null && c.removedBy === null;
    if (c.removedAt !== null && !held) return fail("conflict", "This comment was already removed.");
    const now = Date.now();
    touchTopic(tx, c.topicId);
    // Removing a comment waiting for review is rejecting it: it leaves the queue.
    await tx.update(comments).set({ removedAt: now, removedBy: modId, heldAt: null }).where(eq(comments.id, commentId));
    if (c.deletedAt === null && !held) await bumpCounts(tx, c.topicId, c.pollId, -1);
    await withdrawNotificationsOf(tx, commentId);
    const handled = await tx
      .update(reports)
      .set({ status: "actioned", handledBy: modId, handledAt: now })
      .where(and(eq(reports.commentId, commentId), eq(reports.status, "open")))
      .returning({ reporterId: reports.reporterId, commentId: reports.commentId });
    await notifyOfHandledReports(tx, handled, "actioned", now);
    await logAction(tx, modId, "comment.remove", "comment", commentId, reason);
    return { ok: true as const };
  });
}

export async function restoreComment(modId: string, commentId: number, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const c = await q.comment(tx).get({ id: commentId });
    if (!c) return fail("not_found", "No such comment.");
    if (c.removedAt === null) return fail("conflict", "This comment is not removed.");
    if (c.heldAt !== null) return fail("conflict", "This comment waits in the review queue: accept it there.");
    touchTopic(tx, c.topicId);
    await tx.update(comments).set({ removedAt: null, removedBy: null }).where(eq(comments.id, commentId));
    if (c.deletedAt === null) await bumpCounts(tx, c.topicId, c.pollId, 1);
    await logAction(tx, modId, "comment.restore", "comment", commentId, reason);
    return { ok: true as const };
  });
}

/** Locks or unlocks a thread: the topic's general discussion (pollId null) or one poll's. */
export async function setThreadLocked(modId: string, topicId: number, pollId: number | null, locked: boolean, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    touchTopic(tx, topicId);
    if (pollId === null) {
      const res = await tx.update(topics).set({ locked, updatedAt: Date.now() }).where(eq(topics.id, topicId));
      if (changes(res) === 0) return fail("not_found", "No such topic.");
      await logAction(tx, modId, locked ? "thread.lock" : "thread.unlock", "topic", topicId, reason);
    } else {
      const res = await tx.update(polls).set({ commentsLocked: locked }).where(and(eq(polls.id, pollId), eq(polls.topicId, topicId)));
      if (changes(res) === 0) return fail("not_found", "No such poll.");
      await logAction(tx, modId, locked ? "thread.lock" : "thread.unlock", "poll", pollId, reason);
    }
    return { ok: true as const };
  });
}

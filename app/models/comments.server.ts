import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { db, prepared } from "../../db/client";
import { commentRevisions, comments, commentVotes, pollOptions, polls, reports, topics, users } from "../../db/schema/sqlite";
import { MarkdownTooDeep, renderMarkdown } from "../lib/markdown.server";
import { controversy, wilsonLowerBound } from "../lib/ranking";
import type { Sort } from "../lib/thread-params";
import { fail, type Failure, type Ok } from "./outcome";
import { logAction } from "./reports.server";

export type { Sort };

export const PAGE_SIZE = 50;
/** Levels rendered below the root of a view; deeper replies get "continue this thread". */
export const MAX_DEPTH = 6;
/** Replies shown per comment before "more replies" (loaded on demand at /c/:id). */
export const REPLY_LIMIT = 10;
export const COMMENT_INTERVAL_MS = 5_000;


const ORDER: Record<Sort, string> = {
  best: "c.best desc, c.created_at asc, c.id asc",
  top: "(c.ups - c.downs) desc, c.created_at asc, c.id asc",
  new: "c.created_at desc, c.id desc",
  old: "c.created_at asc, c.id asc",
  controversial: "c.controversy desc, c.created_at desc, c.id desc",
};

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
  return conn.transaction(
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
    { behavior: "immediate" },
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
  return conn.transaction(
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
    { behavior: "immediate" },
  );
}

/** Soft delete by the author: the text and its history are erased; replies keep their place. */
export async function deleteComment(userId: string, id: number, now = Date.now()): Promise<{ ok: true } | Failure> {
  const conn = db();
  return conn.transaction(
    (): { ok: true } | Failure => {
      const c = q.comment().get({ id });
      if (!c) return fail("not_found", "No such comment.");
      if (c.authorId !== userId) return fail("forbidden", "Only the author can delete this comment.");
      if (c.deletedAt !== null) return { ok: true };
      eraseText(id, now);
      if (c.removedAt === null) bumpCounts(c.topicId, c.pollId, -1);
      return { ok: true };
    },
    { behavior: "immediate" },
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
  return conn.transaction(
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
    { behavior: "immediate" },
  );
}

// ---------------------------------------------------------------- reading

type Row = {
  id: number;
  parent_id: number | null;
  depth: number;
  author_id: string;
  username: string;
  stance_option_id: number | null;
  stance_label: string | null;
  body_md: string;
  body_html: string;
  ups: number;
  downs: number;
  reply_count: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  removed_at: number | null;
  topic_id: number;
  poll_id: number | null;
};

const SELECT = sql.raw(`c.id, c.parent_id, c.depth, c.author_id, u.username, c.stance_option_id, o.label as stance_label,
  c.body_md, c.body_html, c.ups, c.downs, c.reply_count, c.created_at, c.edited_at, c.deleted_at, c.removed_at,
  c.topic_id, c.poll_id`);
const FROM = sql.raw(`comments c join users u on u.id = c.author_id left join poll_options o on o.id = c.stance_option_id`);

export type CommentNode = {
  id: number;
  parentId: number | null;
  depth: number;
  author: string | null;
  mine: boolean;
  bodyHtml: string;
  /** The source, only for the author (to edit). */
  bodyMd: string | null;
  stance: { id: number; label: string } | null;
  score: number;
  ups: number;
  downs: number;
  myVote: -1 | 0 | 1;
  createdAt: number;
  editedAt: number | null;
  state: "live" | "deleted" | "removed";
  replyCount: number;
  children: CommentNode[];
  /** Replies that exist but are not loaded here. */
  hiddenReplies: number;
  /** True when replies exist below the depth this view renders. */
  continues: boolean;
};

function toNode(r: Row, viewerId: string | null, myVotes: Map<number, number>): CommentNode {
  const state = r.removed_at !== null ? "removed" : r.deleted_at !== null ? "deleted" : "live";
  const live = state === "live";
  return {
    id: r.id,
    parentId: r.parent_id,
    depth: r.depth,
    author: live ? r.username : null,
    mine: live && viewerId === r.author_id,
    bodyHtml: live ? r.body_html : "",
    bodyMd: live && viewerId === r.author_id ? r.body_md : null,
    stance: live && r.stance_option_id !== null && r.stance_label !== null ? { id: r.stance_option_id, label: r.stance_label } : null,
    score: r.ups - r.downs,
    ups: r.ups,
    downs: r.downs,
    myVote: (myVotes.get(r.id) ?? 0) as -1 | 0 | 1,
    createdAt: r.created_at,
    editedAt: live ? r.edited_at : null,
    state,
    replyCount: r.reply_count,
    children: [],
    hiddenReplies: 0,
    continues: false,
  };
}

/** Loads replies level by level (indexed on parent_id), at most REPLY_LIMIT per parent. */
function loadTree(roots: Row[], sort: Sort, viewerId: string | null, rootDepth: number, firstLimit = REPLY_LIMIT): CommentNode[] {
  const conn = db();
  const all: Row[] = [...roots];
  let level = roots.filter((r) => r.reply_count > 0).map((r) => r.id);
  for (let d = 1; d <= MAX_DEPTH && level.length > 0; d++) {
    const rows = conn.all<Row>(sql`select * from (
        select ${SELECT}, row_number() over (partition by c.parent_id order by ${sql.raw(ORDER[sort])}) as rn
        from ${FROM} where c.parent_id in ${level}
      ) where rn <= ${d === 1 ? firstLimit : REPLY_LIMIT} order by rn`);
    all.push(...rows);
    level = rows.filter((r) => r.reply_count > 0).map((r) => r.id);
  }
  const myVotes = new Map<number, number>();
  if (viewerId && all.length) {
    const ids = all.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      for (const v of conn
        .select({ id: commentVotes.commentId, value: commentVotes.value })
        .from(commentVotes)
        .where(and(eq(commentVotes.userId, viewerId), inArray(commentVotes.commentId, ids.slice(i, i + 500))))
        .all()) {
        myVotes.set(v.id, v.value);
      }
    }
  }
  const nodes = new Map<number, CommentNode>();
  for (const r of all) nodes.set(r.id, toNode(r, viewerId, myVotes));
  const rootIds = new Set(roots.map((r) => r.id));
  for (const r of all) {
    if (rootIds.has(r.id)) continue;
    nodes.get(r.parent_id!)?.children.push(nodes.get(r.id)!);
  }
  for (const n of nodes.values()) {
    if (n.depth - rootDepth >= MAX_DEPTH) n.continues = n.replyCount > 0;
    else n.hiddenReplies = Math.max(0, n.replyCount - n.children.length);
  }
  return roots.map((r) => nodes.get(r.id)!);
}

export type ThreadQuery = {
  topicId: number;
  pollId: number | null;
  sort: Sort;
  page: number;
  stanceOptionId: number | null;
  viewerId: string | null;
};

export async function getThread(t: ThreadQuery) {
  const conn = db();
  const where: SQL[] = [sql`c.topic_id = ${t.topicId}`, sql`c.parent_id is null`];
  where.push(t.pollId === null ? sql`c.poll_id is null` : sql`c.poll_id = ${t.pollId}`);
  if (t.stanceOptionId !== null) where.push(sql`c.stance_option_id = ${t.stanceOptionId}`);
  const roots = conn.all<Row>(sql`select ${SELECT} from ${FROM} where ${sql.join(where, sql` and `)}
    order by ${sql.raw(ORDER[t.sort])} limit ${PAGE_SIZE + 1} offset ${(t.page - 1) * PAGE_SIZE}`);
  const hasMore = roots.length > PAGE_SIZE;
  const page = roots.slice(0, PAGE_SIZE);
  return { comments: loadTree(page, t.sort, t.viewerId, 0), hasMore, page: t.page };
}

/** One comment with its ancestors (root first) and its replies. */
export async function getCommentView(id: number, viewerId: string | null, sort: Sort = "best") {
  const conn = db();
  const row = conn.all<Row>(sql`select ${SELECT} from ${FROM} where c.id = ${id}`)[0];
  if (!row) return null;
  const ancestors = conn.all<Row>(sql`with recursive chain(id, parent_id, n) as (
      select id, parent_id, 0 from comments where id = ${row.parent_id ?? -1}
      union all select c.id, c.parent_id, chain.n + 1 from comments c join chain on c.id = chain.parent_id
    ) select ${SELECT} from ${FROM} join chain on chain.id = c.id order by chain.n desc`);
  // The focused comment's own replies are what the visitor came for: load more of them.
  const [node] = loadTree([row], sort, viewerId, row.depth, 500);
  const threadInfo = conn
    .select({ topicSlug: topics.slug, topicTitle: topics.title, pollSlug: polls.slug, pollQuestion: polls.question })
    .from(topics)
    .leftJoin(polls, eq(polls.id, sql`${row.poll_id}`))
    .where(eq(topics.id, row.topic_id))
    .get();
  return {
    comment: node,
    ancestors: ancestors.map((a) => toNode(a, viewerId, new Map())),
    topicId: row.topic_id,
    pollId: row.poll_id,
    thread: threadInfo!,
  };
}

const revisionsOf = prepared((c) =>
  c
    .select({ bodyMd: commentRevisions.bodyMd, createdAt: commentRevisions.createdAt })
    .from(commentRevisions)
    .where(eq(commentRevisions.commentId, sql.placeholder("id")))
    .orderBy(commentRevisions.id)
    .prepare(),
);

/** Every version of a live comment, oldest first, rendered safely. */
export async function getRevisions(id: number) {
  return revisionsOf()
    .all({ id })
    .map((r) => ({ createdAt: r.createdAt, html: renderMarkdown(r.bodyMd) }));
}

/** Newest live comments of a topic, for its feed. */
export async function newestComments(topicId: number, limit = 30) {
  return db()
    .select({
      id: comments.id,
      bodyHtml: comments.bodyHtml,
      createdAt: comments.createdAt,
      author: users.username,
      pollQuestion: polls.question,
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .leftJoin(polls, eq(polls.id, comments.pollId))
    .where(and(eq(comments.topicId, topicId), isNull(comments.deletedAt), isNull(comments.removedAt)))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(limit)
    .all();
}

/** The option a user answered in a poll, to prefill their stance (their choice to keep). */
export async function suggestedStance(userId: string, pollId: number): Promise<number | null> {
  const row = db().get<{ option_id: number }>(
    sql`select c.option_id from ballots b join ballot_choices c on c.ballot_id = b.id where b.user_id = ${userId} and b.poll_id = ${pollId} limit 1`,
  );
  return row?.option_id ?? null;
}

export async function findComment(id: number) {
  return q.comment().get({ id }) ?? null;
}

/** Inside a transaction: takes back every vote a user cast on comments, keeping the counters right. */
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

const tx = <T>(fn: () => T): T => db().transaction(fn, { behavior: "immediate" });

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

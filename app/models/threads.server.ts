import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { db, prepared, rows } from "../../db/client";
import { commentRevisions, comments, commentVotes, polls, topics, users } from "../../db/schema";
import { renderMarkdown } from "../lib/markdown.server";
import { wordDiff } from "../lib/word-diff";
import type { Sort } from "../lib/thread-params";

// Reading threads: pages of top-level comments with their replies loaded
// level by level, single comments with their context, revisions, feeds.
// Writes live in comments.server.ts.

export type { Sort };

export const PAGE_SIZE = 50;
/** Levels rendered below the root of a view; deeper replies get "continue this thread". */
export const MAX_DEPTH = 6;
/** Replies shown per comment before "more replies" (loaded on demand at /c/:id). */
export const REPLY_LIMIT = 10;


const ORDER: Record<Sort, string> = {
  best: "c.best desc, c.created_at asc, c.id asc",
  top: "(c.ups - c.downs) desc, c.created_at asc, c.id asc",
  new: "c.created_at desc, c.id desc",
  old: "c.created_at asc, c.id asc",
  controversial: "c.controversy desc, c.created_at desc, c.id desc",
};

const commentById = prepared("threads.commentById", (c) => c.select().from(comments).where(eq(comments.id, sql.placeholder("id"))));


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
  removed_by: string | null;
  held_at: number | null;
  topic_id: number;
  poll_id: number | null;
};

const SELECT = sql.raw(`c.id, c.parent_id, c.depth, c.author_id, u.username, c.stance_option_id, o.label as stance_label,
  c.body_md, c.body_html, c.ups, c.downs, c.reply_count, c.created_at, c.edited_at, c.deleted_at, c.removed_at,
  c.removed_by, c.held_at, c.topic_id, c.poll_id`);
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
  /** Hidden until a moderator decides (issue 28): after members' reports, or (`review`) a new account's comment waiting in the queue. */
  held: false | "reports" | "review";
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
    held: r.removed_at === null || r.removed_by !== null ? false : r.held_at !== null ? "review" : "reports",
    state,
    replyCount: r.reply_count,
    children: [],
    hiddenReplies: 0,
    continues: false,
  };
}

/**
 * A gone comment stays in a thread only as a placeholder that holds replies
 * together (issue 23); moderators also see removed ones, to restore them.
 */
const shownInThread = (moderator: boolean) =>
  // A comment waiting in the review queue is nobody's to see in the thread, unless replies hang from it (issue 28).
  moderator
    ? sql`((c.deleted_at is null and c.held_at is null) or c.reply_count > 0)`
    : sql`((c.deleted_at is null and c.removed_at is null) or c.reply_count > 0)`;

/** Loads replies level by level (indexed on parent_id), at most REPLY_LIMIT per parent. */
async function loadTree(roots: Row[], sort: Sort, viewerId: string | null, rootDepth: number, firstLimit = REPLY_LIMIT, moderator = false): Promise<CommentNode[]> {
  const conn = db();
  const all: Row[] = [...roots];
  let level = roots.filter((r) => r.reply_count > 0).map((r) => r.id);
  for (let d = 1; d <= MAX_DEPTH && level.length > 0; d++) {
    const replies = await rows<Row>(conn, sql`select * from (
        select ${SELECT}, row_number() over (partition by c.parent_id order by ${sql.raw(ORDER[sort])}) as rn
        from ${FROM} where c.parent_id in ${level} and ${shownInThread(moderator)}
      ) ranked where rn <= ${d === 1 ? firstLimit : REPLY_LIMIT} order by rn, id`);
    all.push(...replies);
    level = replies.filter((r) => r.reply_count > 0).map((r) => r.id);
  }
  const myVotes = new Map<number, number>();
  if (viewerId && all.length) {
    const ids = all.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      for (const v of await conn
        .select({ id: commentVotes.commentId, value: commentVotes.value })
        .from(commentVotes)
        .where(and(eq(commentVotes.userId, viewerId), inArray(commentVotes.commentId, ids.slice(i, i + 500))))) {
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
  /** Moderators see removed comments too (to restore them). */
  moderator?: boolean;
};

export async function getThread(t: ThreadQuery) {
  const conn = db();
  const where: SQL[] = [sql`c.topic_id = ${t.topicId}`, sql`c.parent_id is null`, shownInThread(t.moderator ?? false)];
  where.push(t.pollId === null ? sql`c.poll_id is null` : sql`c.poll_id = ${t.pollId}`);
  if (t.stanceOptionId !== null) where.push(sql`c.stance_option_id = ${t.stanceOptionId}`);
  const roots = await rows<Row>(conn, sql`select ${SELECT} from ${FROM} where ${sql.join(where, sql` and `)}
    order by ${sql.raw(ORDER[t.sort])} limit ${PAGE_SIZE + 1} offset ${(t.page - 1) * PAGE_SIZE}`);
  const hasMore = roots.length > PAGE_SIZE;
  const page = roots.slice(0, PAGE_SIZE);
  return { comments: await loadTree(page, t.sort, t.viewerId, 0, REPLY_LIMIT, t.moderator ?? false), hasMore, page: t.page };
}

/** One comment with its ancestors (root first) and its replies. */
export async function getCommentView(id: number, viewerId: string | null, sort: Sort = "best") {
  const conn = db();
  const [row] = await rows<Row>(conn, sql`select ${SELECT} from ${FROM} where c.id = ${id}`);
  // Waiting for review and holding no replies: not in any thread, so no permalink either (issue 28).
  if (!row || (row.held_at !== null && row.reply_count === 0)) return null;
  const ancestors = await rows<Row>(conn, sql`with recursive chain(id, parent_id, n) as (
      select id, parent_id, 0 from comments where id = ${row.parent_id ?? -1}
      union all select c.id, c.parent_id, chain.n + 1 from comments c join chain on c.id = chain.parent_id
    ) select ${SELECT} from ${FROM} join chain on chain.id = c.id order by chain.n desc`);
  // The focused comment's own replies are what the visitor came for: load more of them.
  const [node] = await loadTree([row], sort, viewerId, row.depth, 500);
  const [threadInfo] = await conn
    .select({ topicSlug: topics.slug, topicTitle: topics.title, pollSlug: polls.slug, pollQuestion: polls.question })
    .from(topics)
    .leftJoin(polls, eq(polls.id, sql`${row.poll_id}`))
    .where(eq(topics.id, row.topic_id));
  return {
    comment: node,
    ancestors: ancestors.map((a) => toNode(a, viewerId, new Map())),
    topicId: row.topic_id,
    pollId: row.poll_id,
    thread: threadInfo!,
  };
}

const revisionsOf = prepared("threads.revisionsOf", (c) =>
  c
    .select({ bodyMd: commentRevisions.bodyMd, createdAt: commentRevisions.createdAt })
    .from(commentRevisions)
    .where(eq(commentRevisions.commentId, sql.placeholder("id")))
    .orderBy(commentRevisions.id),
);

/** Every version of a live comment, oldest first, rendered safely, each with its word-level changes from the one before. */
/** One version of a comment: when, its HTML, and (after the first) the words changed. */
export type Revision = { createdAt: number; html: string; changes: ReturnType<typeof wordDiff> | null };

export async function getRevisions(id: number): Promise<Revision[]> {
  const list = await revisionsOf().all({ id });
  return list.map((r, i) => ({ createdAt: r.createdAt, html: renderMarkdown(r.bodyMd), changes: i === 0 ? null : wordDiff(list[i - 1].bodyMd, r.bodyMd) }));
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
    .limit(limit);
}

/** The option a person answered in a poll (the stance a comment form offers first, never picks for them). */
export async function answerOf(userId: string, pollId: number): Promise<number | null> {
  const [row] = await rows<{ option_id: number }>(
    db(),
    sql`select c.option_id from ballots b join ballot_choices c on c.ballot_id = b.id where b.user_id = ${userId} and b.poll_id = ${pollId} order by c.rank limit 1`,
  );
  return row?.option_id ?? null;
}

export async function findComment(id: number) {
  return (await commentById().get({ id })) ?? null;
}


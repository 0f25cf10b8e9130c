import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { prepared } from "../../db/client";
import { comments, polls, topics, users } from "../../db/schema";
import { textExcerpt } from "../lib/markdown.server";

// A person's public page: who they are on Pulse and what they wrote in the
// open. How they voted is never read here: ballots stay private.

export const PROFILE_PAGE_SIZE = 20;

const q = {
  user: prepared("profiles.user", (c) =>
    c
      .select({ id: users.id, username: users.username, createdAt: users.createdAt, banned: users.banned, deletedAt: users.deletedAt })
      .from(users)
      .where(eq(sql`lower(${users.username})`, sql.placeholder("name"))),
  ),
  count: prepared("profiles.count", (c) =>
    c
      .select({ n: count() })
      .from(comments)
      .where(and(eq(comments.authorId, sql.placeholder("userId")), isNull(comments.deletedAt), isNull(comments.removedAt))),
  ),
  comments: prepared("profiles.comments", (c) =>
    c
      .select({
        id: comments.id,
        bodyHtml: comments.bodyHtml,
        createdAt: comments.createdAt,
        parentId: comments.parentId,
        topicSlug: topics.slug,
        topicTitle: topics.title,
        pollSlug: polls.slug,
        pollQuestion: polls.question,
      })
      .from(comments)
      .innerJoin(topics, eq(topics.id, comments.topicId))
      .leftJoin(polls, eq(polls.id, comments.pollId))
      .where(and(eq(comments.authorId, sql.placeholder("userId")), isNull(comments.deletedAt), isNull(comments.removedAt)))
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset")),
  ),
};

export type ProfileState = "active" | "banned" | "deleted";

/** A profile by username (any case), with one page of public comments; null if nobody has that name. */
export async function getProfile(username: string, page: number) {
  const user = await q.user().get({ name: username.toLowerCase() });
  if (!user) return null;
  const state: ProfileState = user.deletedAt !== null ? "deleted" : user.banned ? "banned" : "active";
  // A deleted account's comments were erased in place (decision 007): nothing to list.
  const total = state === "deleted" ? 0 : ((await q.count().get({ userId: user.id }))?.n ?? 0);
  const list =
    state === "deleted" ? [] : await q.comments().all({ userId: user.id, limit: PROFILE_PAGE_SIZE + 1, offset: (page - 1) * PROFILE_PAGE_SIZE });
  return {
    username: user.username,
    joinedAt: user.createdAt,
    state,
    commentCount: Number(total),
    page,
    hasMore: list.length > PROFILE_PAGE_SIZE,
    comments: list.slice(0, PROFILE_PAGE_SIZE).map((c) => ({
      id: c.id,
      excerpt: textExcerpt(c.bodyHtml, 280),
      createdAt: c.createdAt,
      isReply: c.parentId !== null,
      where: c.pollQuestion ?? c.topicTitle,
      threadUrl: c.pollSlug ? `/t/${c.topicSlug}/p/${c.pollSlug}` : `/t/${c.topicSlug}`,
    })),
  };
}

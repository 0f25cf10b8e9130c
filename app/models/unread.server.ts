import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { db, transaction } from "../../db/client";
import { comments, topicVisits } from "../../db/schema";

// What is new for a signed-in person since their last visit to a topic.

/**
 * A visit ends after this long without opening the topic. While a visit
 * lasts, the comments that were new when it began stay marked, so a reload
 * or a vote does not wipe the marks.
 */
export const VISIT_GAP_MS = 30 * 60_000;

/** A visit is written at most this often: reloads and revalidations within it cost no write. */
export const VISIT_WRITE_EVERY_MS = 60_000;

/**
 * Records that `userId` opened a topic now, and answers from when its
 * comments count as new for this visit (null on a first visit: nothing is
 * marked, since everything would be).
 */
export async function recordVisit(userId: string, topicId: number, now = Date.now()): Promise<number | null> {
  const [seen] = await db()
    .select({ seenAt: topicVisits.seenAt, markFrom: topicVisits.markFrom })
    .from(topicVisits)
    .where(and(eq(topicVisits.userId, userId), eq(topicVisits.topicId, topicId)));
  if (seen && now >= seen.seenAt && now - seen.seenAt < VISIT_WRITE_EVERY_MS) return seen.markFrom;
  return transaction(async (tx) => {
    const [v] = await tx
      .select({ seenAt: topicVisits.seenAt, markFrom: topicVisits.markFrom })
      .from(topicVisits)
      .where(and(eq(topicVisits.userId, userId), eq(topicVisits.topicId, topicId)));
    if (!v) {
      await tx.insert(topicVisits).values({ userId, topicId, seenAt: now, markFrom: now }).onConflictDoNothing();
      return null;
    }
    const markFrom = now - v.seenAt > VISIT_GAP_MS ? v.seenAt : v.markFrom;
    await tx.update(topicVisits).set({ seenAt: Math.max(now, v.seenAt), markFrom }).where(and(eq(topicVisits.userId, userId), eq(topicVisits.topicId, topicId)));
    return markFrom;
  });
}

/** Where the current visit's "new" marks start, without recording a visit (null: never visited). */
export async function markFromOf(userId: string, topicId: number): Promise<number | null> {
  const [seen] = await db()
    .select({ markFrom: topicVisits.markFrom })
    .from(topicVisits)
    .where(and(eq(topicVisits.userId, userId), eq(topicVisits.topicId, topicId)));
  return seen?.markFrom ?? null;
}

/** Per topic the person has visited: comments by others since the last visit that are still shown. */
export async function newCommentCounts(userId: string): Promise<Map<number, number>> {
  const list = await db()
    .select({ topicId: topicVisits.topicId, n: sql<number>`count(${comments.id})` })
    .from(topicVisits)
    .leftJoin(
      comments,
      and(
        eq(comments.topicId, topicVisits.topicId),
        gt(comments.createdAt, topicVisits.seenAt),
        ne(comments.authorId, userId),
        isNull(comments.deletedAt),
        isNull(comments.removedAt),
      ),
    )
    .where(eq(topicVisits.userId, userId))
    .groupBy(topicVisits.topicId);
  return new Map(list.map((r) => [r.topicId, Number(r.n)]));
}

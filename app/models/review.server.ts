import { and, asc, eq, isNotNull, isNull } from "drizzle-orm";
import { db, forUpdate, transaction } from "../../db/client";
import { comments, polls, topics, users } from "../../db/schema";
import type { Role } from "../../db/schema/domain";
import { showComment } from "./comments.server";
import { logAction } from "./moderation-log.server";
import { mentionedNames, resolveMentions } from "./notifications.server";
import { fail, type Failure, type Ok } from "./outcome";
import { trustLevelOf } from "./trust.server";
import { banUser } from "./users.server";

// The review queue (issue 28): new accounts' comments held because they link
// out (trust.server.ts). A moderator accepts one (it joins its thread as if
// posted then: counts, notifications), rejects it (a moderator's removal),
// or rejects it and bans its author. Until then only its author sees it.

/** Every comment waiting for a moderator, oldest first. */
export async function listHeldComments() {
  return db()
    .select({
      id: comments.id,
      bodyHtml: comments.bodyHtml,
      createdAt: comments.createdAt,
      author: users.username,
      authorId: users.id,
      authorBanned: users.banned,
      topicSlug: topics.slug,
      pollSlug: polls.slug,
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .innerJoin(topics, eq(topics.id, comments.topicId))
    .leftJoin(polls, eq(polls.id, comments.pollId))
    .where(and(isNotNull(comments.heldAt), isNull(comments.deletedAt)))
    .orderBy(asc(comments.heldAt), asc(comments.id))
    .limit(200);
}

/** A person's own comments waiting in one thread: shown to them, and to nobody else. */
export async function myHeldComments(userId: string, topicId: number, pollId: number | null) {
  return db()
    .select({ id: comments.id, bodyHtml: comments.bodyHtml, createdAt: comments.createdAt })
    .from(comments)
    .where(
      and(
        eq(comments.authorId, userId),
        eq(comments.topicId, topicId),
        pollId === null ? isNull(comments.pollId) : eq(comments.pollId, pollId),
        isNotNull(comments.heldAt),
        isNull(comments.deletedAt),
      ),
    )
    .orderBy(asc(comments.id));
}

export type ReviewDecision = "accept" | "reject" | "reject_ban";

/** A moderator's decision on a held comment; the ban, when asked, follows the rejection. */
export async function decideHeldComment(mod: { id: string; role: Role }, commentId: number, decision: ReviewDecision, reason: string | null, now = Date.now()): Promise<Ok | Failure> {
  const decided = await transaction(async (tx): Promise<Failure | { ok: true; authorId: string }> => {
    const [c] = await forUpdate(tx.select().from(comments).where(and(eq(comments.id, commentId), isNotNull(comments.heldAt), isNull(comments.deletedAt))));
    if (!c) return fail("conflict", "This comment is not waiting for review (already decided, or deleted by its author).");
    if (decision === "accept") {
      await tx.update(comments).set({ heldAt: null, removedAt: null }).where(eq(comments.id, commentId));
      const [parent] = c.parentId === null ? [] : await tx.select({ authorId: comments.authorId }).from(comments).where(eq(comments.id, c.parentId));
      const mentioned = await resolveMentions(mentionedNames(c.bodyMd), tx);
      await showComment(tx, { id: c.id, topicId: c.topicId, pollId: c.pollId, parentId: c.parentId, authorId: c.authorId, parentAuthorId: parent?.authorId ?? null, mentionedIds: [...mentioned.values()].map((p) => p.id) }, now);
      await logAction(tx, mod.id, "comment.accept", "comment", commentId, reason);
      // An accepted comment may be the one that makes its author a member.
      await trustLevelOf(tx, c.authorId, now);
    } else {
      await tx.update(comments).set({ heldAt: null, removedBy: mod.id }).where(eq(comments.id, commentId));
      await logAction(tx, mod.id, "comment.reject", "comment", commentId, reason);
    }
    return { ok: true, authorId: c.authorId };
  });
  if (!decided.ok || decision !== "reject_ban") return decided.ok ? { ok: true } : decided;
  const banned = await banUser(mod, decided.authorId, reason ?? "a comment held for review, rejected", false);
  // Already banned (by another moderator meanwhile) is what was asked for.
  return banned.ok || banned.code === "conflict" ? { ok: true } : banned;
}

/** Sets or clears a member's trusted level by hand (a moderator's call); new and member are earned, never set. */
export async function setTrusted(modId: string, userId: string, trusted: boolean, reason: string | null): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [u] = await forUpdate(tx.select({ level: users.trustLevel, role: users.role }).from(users).where(eq(users.id, userId)));
    if (!u) return fail("not_found", "No such user.");
    if (u.role !== "member") return fail("invalid", "Moderators and admins are trusted by their role.");
    // Untrusting takes back only what was given: a new account stays new.
    if (trusted ? u.level === "trusted" : u.level !== "trusted") return { ok: true as const };
    await tx.update(users).set({ trustLevel: trusted ? "trusted" : "member" }).where(eq(users.id, userId));
    await logAction(tx, modId, trusted ? "user.trust" : "user.untrust", "user", userId, reason);
    return { ok: true as const };
  });
}

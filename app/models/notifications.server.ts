import { and, desc, eq, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { afterCommit, db, prepared, rows, transaction, type DB } from "../../db/client";
import { NOTIFICATION_KINDS, type NotificationKind } from "../../db/schema/domain";
import { comments, follows, notificationMutes, notifications, polls, pollOptions, topics, userMutes, users } from "../../db/schema";
import { textExcerpt } from "../lib/markdown.server";
import { notifyInboxChanged } from "./events.server";
import { fail, type Failure, type Ok } from "./outcome";

// Notifications: who is told what, written in the transaction of the thing
// that causes them. Nothing here sends e-mail; people read /notifications.

export { NOTIFICATION_KINDS, type NotificationKind };
export const NOTIFICATIONS_PAGE_SIZE = 30;

/** `@name` where a name may stand: not inside a word or an e-mail address. Names follow the sign-up rules. */
const MENTION = /(?<![\p{L}\p{N}_@.-])@([A-Za-z0-9_-]{3,30})(?![A-Za-z0-9_-])/gu;
const MAX_MENTIONS = 20;
/** Of the names a comment mentions, this many are told (issue 23: one account could send 240 notices a minute). */
export const MENTIONS_NOTIFIED = 5;
/** One sender's mentions reach one person at most this often an hour; the rest are linked but not announced. */
export const MENTIONS_PER_SENDER_HOUR = 3;

/** The names mentioned in a text, lower-cased, at most 20. */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    names.add(m[1].toLowerCase());
    if (names.size >= MAX_MENTIONS) break;
  }
  return [...names];
}

/** The existing, not deleted, accounts among `names` (lower-cased), with their names as spelled. */
export async function resolveMentions(names: string[], conn: DB = db()): Promise<Map<string, { id: string; username: string }>> {
  const found = new Map<string, { id: string; username: string }>();
  if (names.length === 0) return found;
  const list = await conn
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(and(inArray(sql`lower(${users.username})`, names), isNull(users.deletedAt)));
  for (const u of list) found.set(u.username.toLowerCase(), u);
  return found;
}

/** People who turned `kind` off, or muted `actorId`, among `userIds`. */
async function mutedAmong(tx: DB, kind: NotificationKind, userIds: string[], actorId: string | null): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const byKind = await tx
    .select({ userId: notificationMutes.userId })
    .from(notificationMutes)
    .where(and(eq(notificationMutes.kind, kind), inArray(notificationMutes.userId, userIds)));
  const bySender = actorId
    ? await tx
        .select({ userId: userMutes.userId })
        .from(userMutes)
        .where(and(eq(userMutes.mutedId, actorId), inArray(userMutes.userId, userIds)))
    : [];
  return new Set([...byKind, ...bySender].map((m) => m.userId));
}

/** Among `userIds`, those `actorId` already mentioned MENTIONS_PER_SENDER_HOUR times in the hour before `now`. */
async function mentionedEnough(tx: DB, actorId: string, userIds: string[], now: number): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const counts = await tx
    .select({ userId: notifications.userId, n: sql<number>`count(*)` })
    .from(notifications)
    .where(and(eq(notifications.actorId, actorId), eq(notifications.kind, "mention"), inArray(notifications.userId, userIds), sql`${notifications.createdAt} > ${now - 3_600_000}`))
    .groupBy(notifications.userId);
  return new Set(counts.filter((c) => Number(c.n) >= MENTIONS_PER_SENDER_HOUR).map((c) => c.userId));
}

type NewComment = { id: number; topicId: number; pollId: number | null; authorId: string; parentAuthorId: string | null; mentionedIds: string[] };

/**
 * Inside the comment's own transaction: tells the parent's author of a
 * reply, the people mentioned, and the topic's followers. Each person hears
 * of one comment once, by the most specific reason; nobody hears of their own.
 */
export async function notifyOfComment(tx: DB, c: NewComment, now: number): Promise<void> {
  const told = new Set<string>([c.authorId]);
  const add = async (kind: NotificationKind, candidates: string[]) => {
    const fresh = [...new Set(candidates)].filter((id) => !told.has(id));
    for (const id of fresh) told.add(id);
    const muted = await mutedAmong(tx, kind, fresh, c.authorId);
    const enough = kind === "mention" ? await mentionedEnough(tx, c.authorId, fresh, now) : new Set<string>();
    const to = fresh.filter((id) => !muted.has(id) && !enough.has(id));
    if (to.length === 0) return;
    await tx.insert(notifications).values(
      to.map((userId) => ({ userId, kind, topicId: c.topicId, pollId: c.pollId, commentId: c.id, actorId: c.authorId, createdAt: now })),
    );
    afterCommit(tx, () => notifyInboxChanged(to));
  };
  if (c.parentAuthorId) await add("reply", [c.parentAuthorId]);
  await add("mention", c.mentionedIds.slice(0, MENTIONS_NOTIFIED));
  // Followers in one statement: a topic may have many.
  const notified = await rows<{ user_id: string }>(
    tx,
    sql`insert into notifications (user_id, kind, topic_id, poll_id, comment_id, actor_id, created_at)
        select f.user_id, 'follow', ${c.topicId}, ${c.pollId}, ${c.id}, ${c.authorId}, ${now}
        from follows f
        where f.topic_id = ${c.topicId}
          and f.user_id not in (select n.user_id from notifications n where n.comment_id = ${c.id})
          and f.user_id <> ${c.authorId}
          and not exists (select 1 from notification_mutes m where m.user_id = f.user_id and m.kind = 'follow')
          and not exists (select 1 from user_mutes um where um.user_id = f.user_id and um.muted_id = ${c.authorId})
        returning user_id`,
  );
  if (notified.length) afterCommit(tx, () => notifyInboxChanged(notified.map((r) => r.user_id)));
}

/** Inside the removal's transaction: a removed or deleted comment's notifications go (a report's answer stays). */
export async function withdrawNotificationsOf(tx: DB, commentId: number): Promise<void> {
  const gone = await tx
    .delete(notifications)
    .where(and(eq(notifications.commentId, commentId), ne(notifications.kind, "report")))
    .returning({ userId: notifications.userId });
  if (gone.length) afterCommit(tx, () => notifyInboxChanged(gone.map((g) => g.userId)));
}

/** Inside the resolution's transaction: every voter hears whether they were right. A new resolution replaces the old notices. */
export async function notifyOfResolution(tx: DB, poll: { id: number; topicId: number; optionId: number | null }, now: number): Promise<void> {
  const old = await tx
    .delete(notifications)
    .where(and(eq(notifications.pollId, poll.id), eq(notifications.kind, "resolved")))
    .returning({ userId: notifications.userId });
  let told: { user_id: string }[] = [];
  if (poll.optionId !== null) {
    told = await rows<{ user_id: string }>(
      tx,
      sql`insert into notifications (user_id, kind, topic_id, poll_id, detail, created_at)
          select b.user_id, 'resolved', ${poll.topicId}, ${poll.id},
                 case when exists (select 1 from ballot_choices bc where bc.ballot_id = b.id and bc.option_id = ${poll.optionId}) then 'right' else 'wrong' end,
                 ${now}
          from ballots b
          where b.poll_id = ${poll.id}
            and not exists (select 1 from notification_mutes m where m.user_id = b.user_id and m.kind = 'resolved')
          returning user_id`,
    );
  }
  const changed = [...old.map((o) => o.userId), ...told.map((t) => t.user_id)];
  if (changed.length) afterCommit(tx, () => notifyInboxChanged(changed));
}

/** Inside the moderator's transaction: the people whose reports were just handled hear the outcome. */
export async function notifyOfHandledReports(tx: DB, reporters: { reporterId: string; commentId: number }[], outcome: "actioned" | "dismissed", now: number): Promise<void> {
  if (reporters.length === 0) return;
  const ids = reporters.map((r) => r.reporterId);
  // A moderator's answer is not one person's doing: muting people does not silence it.
  const muted = await mutedAmong(tx, "report", ids, null);
  const to = reporters.filter((r) => !muted.has(r.reporterId));
  if (to.length === 0) return;
  const [c] = await tx.select({ topicId: comments.topicId, pollId: comments.pollId }).from(comments).where(eq(comments.id, to[0].commentId));
  if (!c) return;
  await tx.insert(notifications).values(
    to.map((r) => ({ userId: r.reporterId, kind: "report" as const, topicId: c.topicId, pollId: c.pollId, commentId: r.commentId, detail: outcome, createdAt: now })),
  );
  afterCommit(tx, () => notifyInboxChanged(to.map((r) => r.reporterId)));
}

// ---------------------------------------------------------------- reading

const q = {
  unread: prepared("notifications.unread", (c) =>
    c
      .select({ n: sql<number>`count(*)` })
      .from(notifications)
      .where(and(eq(notifications.userId, sql.placeholder("userId")), isNull(notifications.readAt))),
  ),
};

/** Unread notifications, for the header. */
export async function unreadCount(userId: string): Promise<number> {
  const [row] = await q.unread().all({ userId });
  return Number(row?.n ?? 0);
}

export type InboxItem = {
  /** The newest notification's id (the one to open). */
  id: number;
  ids: number[];
  kind: NotificationKind;
  count: number;
  read: boolean;
  createdAt: number;
  topic: { slug: string; title: string };
  poll: { slug: string; question: string; resolvedLabel: string | null } | null;
  commentId: number | null;
  actor: string | null;
  detail: string | null;
  excerpt: string | null;
};

const EXCERPT = 140;

/** The comment's words as text: from its rendered HTML, so no `**` or `[link](…)` shows (issue 23). */
function excerptOf(html: string | null): string | null {
  if (!html) return null;
  return textExcerpt(html, EXCERPT) || null;
}

/**
 * The inbox, newest first, `NOTIFICATIONS_PAGE_SIZE` rows a page (`before`
 * is the last id of the previous page). Neighbouring notices of new comments
 * in one followed topic, all read or all unread, fold into one line.
 */
export async function listNotifications(userId: string, before: number | null = null) {
  const list = await db()
    .select({
      id: notifications.id,
      kind: notifications.kind,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      detail: notifications.detail,
      commentId: notifications.commentId,
      topicSlug: topics.slug,
      topicTitle: topics.title,
      pollSlug: polls.slug,
      pollQuestion: polls.question,
      resolvedLabel: pollOptions.label,
      actor: users.username,
      actorDeleted: users.deletedAt,
      body: comments.bodyHtml,
    })
    .from(notifications)
    .innerJoin(topics, eq(topics.id, notifications.topicId))
    .leftJoin(polls, eq(polls.id, notifications.pollId))
    .leftJoin(pollOptions, eq(pollOptions.id, polls.resolvedOptionId))
    .leftJoin(users, eq(users.id, notifications.actorId))
    .leftJoin(comments, eq(comments.id, notifications.commentId))
    .where(and(eq(notifications.userId, userId), before === null ? undefined : lt(notifications.id, before)))
    .orderBy(desc(notifications.id))
    .limit(NOTIFICATIONS_PAGE_SIZE + 1);
  const more = list.length > NOTIFICATIONS_PAGE_SIZE;
  const page = list.slice(0, NOTIFICATIONS_PAGE_SIZE);
  const items: InboxItem[] = [];
  for (const n of page) {
    const read = n.readAt !== null;
    const last = items[items.length - 1];
    if (n.kind === "follow" && last?.kind === "follow" && last.topic.slug === n.topicSlug && last.read === read) {
      last.count++;
      last.ids.push(n.id);
      continue;
    }
    items.push({
      id: n.id,
      ids: [n.id],
      kind: n.kind,
      count: 1,
      read,
      createdAt: n.createdAt,
      topic: { slug: n.topicSlug, title: n.topicTitle },
      poll: n.pollSlug ? { slug: n.pollSlug, question: n.pollQuestion ?? "", resolvedLabel: n.resolvedLabel } : null,
      commentId: n.commentId,
      actor: n.actor && n.actorDeleted === null ? n.actor : n.actor ? "[deleted]" : null,
      detail: n.detail,
      // A report's comment may be removed by now: its text is not repeated.
      excerpt: n.kind === "report" ? null : excerptOf(n.body),
    });
  }
  return { items, nextBefore: more ? page[page.length - 1].id : null };
}

/** Marks some of a person's notifications read (other people's ids are ignored). */
export async function markRead(userId: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await transaction(async (tx) => {
    const res = await tx
      .update(notifications)
      .set({ readAt: Date.now() })
      .where(and(eq(notifications.userId, userId), inArray(notifications.id, ids.slice(0, 200)), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    if (res.length) afterCommit(tx, () => notifyInboxChanged([userId]));
  });
}

export async function markAllRead(userId: string): Promise<void> {
  await transaction(async (tx) => {
    const res = await tx
      .update(notifications)
      .set({ readAt: Date.now() })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    if (res.length) afterCommit(tx, () => notifyInboxChanged([userId]));
  });
}

/**
 * Opens one notification: marks it (and the notices folded with it) read
 * and says where it points. Another person's notification is not found.
 */
/**
 * Where a notification points. With `markRead` (a POST, never a GET: a link
 * from another site must not change anything) it and `alsoIds` are marked read.
 */
export async function openNotification(userId: string, id: number, alsoIds: number[] = [], opts: { markRead: boolean } = { markRead: true }): Promise<Ok<{ topicSlug: string; pollSlug: string | null; commentId: number | null; kind: NotificationKind }> | Failure> {
  const [n] = await db()
    .select({ kind: notifications.kind, commentId: notifications.commentId, topicSlug: topics.slug, pollSlug: polls.slug, removed: comments.removedAt, deleted: comments.deletedAt })
    .from(notifications)
    .innerJoin(topics, eq(topics.id, notifications.topicId))
    .leftJoin(polls, eq(polls.id, notifications.pollId))
    .leftJoin(comments, eq(comments.id, notifications.commentId))
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  if (!n) return fail("not_found", "No such notification.");
  if (opts.markRead) await markRead(userId, [id, ...alsoIds]);
  const gone = n.removed !== null || n.deleted !== null;
  return { ok: true, kind: n.kind, topicSlug: n.topicSlug, pollSlug: n.pollSlug, commentId: gone ? null : n.commentId };
}

// ---------------------------------------------------------------- settings

/** The kinds a person has turned off. */
export async function mutedKinds(userId: string): Promise<NotificationKind[]> {
  const list = await db().select({ kind: notificationMutes.kind }).from(notificationMutes).where(eq(notificationMutes.userId, userId));
  return list.map((m) => m.kind);
}

/** Turns kinds on (`on`) and every other kind off. */
export async function setNotificationKinds(userId: string, on: NotificationKind[]): Promise<void> {
  const off = NOTIFICATION_KINDS.filter((k) => !on.includes(k));
  await transaction(async (tx) => {
    await tx.delete(notificationMutes).where(eq(notificationMutes.userId, userId));
    if (off.length) await tx.insert(notificationMutes).values(off.map((kind) => ({ userId, kind })));
  });
}

// ---------------------------------------------------------------- following

export async function isFollowing(userId: string, topicId: number): Promise<boolean> {
  const [row] = await db().select({ t: follows.topicId }).from(follows).where(and(eq(follows.userId, userId), eq(follows.topicId, topicId)));
  return Boolean(row);
}

/** Follows or stops following a topic; saying it twice changes nothing. */
export async function setFollowing(userId: string, topicId: number, on: boolean): Promise<Ok | Failure> {
  return transaction(async (tx): Promise<Ok | Failure> => {
    const [t] = await tx.select({ id: topics.id }).from(topics).where(eq(topics.id, topicId));
    if (!t) return fail("not_found", "No such topic.");
    if (on) await tx.insert(follows).values({ userId, topicId, createdAt: Date.now() }).onConflictDoNothing();
    else await tx.delete(follows).where(and(eq(follows.userId, userId), eq(follows.topicId, topicId)));
    return { ok: true };
  });
}

// ---------------------------------------------------------------- muted people

/** Mutes or unmutes a person by name: nothing they do notifies `userId` while muted. */
export async function setMuted(userId: string, username: string, on: boolean): Promise<Ok | Failure> {
  const [other] = await db()
    .select({ id: users.id })
    .from(users)
    .where(and(eq(sql`lower(${users.username})`, username.toLowerCase()), isNull(users.deletedAt)));
  if (!other) return fail("not_found", "No such person.");
  if (other.id === userId) return fail("invalid", "You cannot mute yourself.");
  await transaction(async (tx) => {
    if (on) await tx.insert(userMutes).values({ userId, mutedId: other.id, createdAt: Date.now() }).onConflictDoNothing();
    else await tx.delete(userMutes).where(and(eq(userMutes.userId, userId), eq(userMutes.mutedId, other.id)));
  });
  return { ok: true };
}

/** The people `userId` muted, by name. */
export async function mutedPeople(userId: string): Promise<string[]> {
  const list = await db()
    .select({ username: users.username })
    .from(userMutes)
    .innerJoin(users, eq(users.id, userMutes.mutedId))
    .where(eq(userMutes.userId, userId))
    .orderBy(users.username);
  return list.map((u) => u.username);
}

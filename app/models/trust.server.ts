import { and, count, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { DB } from "../../db/client";
import { comments, users } from "../../db/schema";
import type { TrustLevel } from "../../db/schema/domain";
import { plural } from "../lib/format";
import { fail, type Failure } from "./outcome";

// Trust levels against spam (issue 28, after Discourse's): a new account can
// do less until the community has seen it. New: at most a few links and
// mentions per comment, a comment with a link waits for a moderator, a few
// comments a day. Member, once the account is a day old with three comments
// accepted: no limits beyond everyone's. Trusted: set by a moderator, or
// earned by a long record with nothing removed by one. Moderators and
// admins are trusted. The level is stored; it rises when the author next
// posts (or a moderator accepts their comment), never by a job.

export type TrustRules = {
  newHours: number;
  acceptedComments: number;
  maxLinks: number;
  maxMentions: number;
  commentsPerDay: number;
  statementsPerDay: number;
  trustedDays: number;
  trustedComments: number;
};

/** The defaults the README lists; the settings (NEW_ACCOUNT_*, TRUSTED_AFTER_*) replace them at start. */
export const DEFAULT_TRUST_RULES: TrustRules = { newHours: 24, acceptedComments: 3, maxLinks: 2, maxMentions: 2, commentsPerDay: 10, statementsPerDay: 3, trustedDays: 30, trustedComments: 20 };

let rules = DEFAULT_TRUST_RULES;

export function setTrustRules(next: TrustRules): void {
  rules = next;
}

export const trustRules = () => rules;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Comments of theirs that show (accepted: not held, removed or deleted), and those a moderator removed. */
async function recordOf(tx: DB, userId: string) {
  const [shown] = await tx.select({ n: count() }).from(comments).where(and(eq(comments.authorId, userId), isNull(comments.removedAt), isNull(comments.deletedAt)));
  const [removed] = await tx.select({ n: count() }).from(comments).where(and(eq(comments.authorId, userId), isNotNull(comments.removedBy)));
  return { shown: Number(shown.n), removed: Number(removed.n) };
}

/**
 * Inside a transaction: the account's level now, raised first if it has
 * earned more (new to member; member to trusted). Null for no such account.
 */
export async function trustLevelOf(tx: DB, userId: string, now = Date.now()): Promise<TrustLevel | null> {
  const [u] = await tx.select({ role: users.role, level: users.trustLevel, createdAt: users.createdAt }).from(users).where(eq(users.id, userId));
  if (!u) return null;
  if (u.role !== "member") return "trusted";
  let level = u.level;
  if (level === "trusted") return level;
  const age = now - u.createdAt;
  // The record is read only once the account is old enough to rise.
  const old = (level === "new" && age >= rules.newHours * HOUR) || age >= rules.trustedDays * DAY;
  const record = old ? await recordOf(tx, userId) : { shown: 0, removed: 0 };
  if (level === "new" && age >= rules.newHours * HOUR && record.shown >= rules.acceptedComments) level = "member";
  if (level === "member" && age >= rules.trustedDays * DAY && record.shown >= rules.trustedComments && record.removed === 0) level = "trusted";
  if (level !== u.level) await tx.update(users).set({ trustLevel: level }).where(eq(users.id, userId));
  return level;
}

/** Links to other sites in rendered comment HTML (mentions link inside Pulse and do not count). */
export const outsideLinks = (html: string) => (html.match(/<a href="(?:https?:|mailto:)/g) ?? []).length;

const untilMember = () => `(until the account is ${plural(rules.newHours, "hour")} old with ${plural(rules.acceptedComments, "comment")} accepted)`;

/**
 * Inside the posting transaction: what a new account's comment may hold.
 * Refused past the limits (nothing is written); otherwise `hold` says
 * whether it waits for a moderator (it links out).
 */
export async function newAccountComment(tx: DB, userId: string, html: string, mentioned: number, now = Date.now()): Promise<Failure | { hold: boolean }> {
  const content = newAccountContent(html, mentioned);
  if ("code" in content) return content;
  const [today] = await tx
    .select({ n: count(), first: sql<number | null>`min(${comments.createdAt})`.mapWith(Number) })
    .from(comments)
    .where(and(eq(comments.authorId, userId), gt(comments.createdAt, now - DAY)));
  if (Number(today.n) >= rules.commentsPerDay) {
    const wait = Math.max(1, Math.ceil((Number(today.first) + DAY - now) / 1000));
    return fail("rate_limited", `A new account may post ${plural(rules.commentsPerDay, "comment")} a day ${untilMember()}.`, "body", wait);
  }
  return content;
}

/** A new account's text, posted or edited: refused past the limits on links and mentions; held when it links out. */
export function newAccountContent(html: string, mentioned: number): Failure | { hold: boolean } {
  const links = outsideLinks(html);
  if (links > rules.maxLinks) return fail("invalid", `A new account's comment may hold at most ${plural(rules.maxLinks, "link")} ${untilMember()}.`, "body");
  if (mentioned > rules.maxMentions) return fail("invalid", `A new account's comment may mention at most ${plural(rules.maxMentions, "person", "people")} ${untilMember()}.`, "body");
  return { hold: links > 0 };
}

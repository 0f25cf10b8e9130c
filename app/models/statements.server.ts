import { and, asc, count, desc, eq, gt, sql } from "drizzle-orm";
import { db, forUpdate, transaction, type DB } from "../../db/client";
import { statements, statementVotes, topics, users } from "../../db/schema";
import type { StatementMode } from "../../db/schema/domain";
import { plural } from "../lib/format";
import { groupConsensus, MIN_PEOPLE, priorityOf, representativeStatements, whereISit, type Counts, type Vote } from "../lib/statement-stats";
import { isModerator } from "../lib/visibility";
import { touchTopic } from "./data-versions.server";
import { mapGroups } from "./map-groups.server";
import { logAction } from "./moderation-log.server";
import { fail, type Failure, type Ok } from "./outcome";
import { trustLevelOf, trustRules } from "./trust.server";

// People's statements (issue 28, Pol.is-style): a topic that takes them lets
// anyone signed in write one idea (140 characters at most) and rate the
// others agree, disagree or pass, one at a time. Strict topics show a
// statement once a moderator accepts it; lazy ones at once, until a
// moderator hides it. Hidden and pending statements are in no count, no
// file and no map.

export const STATEMENT_MAX = 140;
const DAY = 86_400_000;

// Control characters carry no meaning in a sentence (and PostgreSQL refuses NUL); runs of spaces and line breaks become one space.
// eslint-disable-next-line no-control-regex
const clean = (body: string) => body.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "").replace(/\s+/g, " ").trim();

/** A participant's statement: accepted at once on a lazy topic (or from a moderator), else waiting for one. */
export async function writeStatement(author: { id: string; role: string }, topicId: number, raw: string, now = Date.now()): Promise<Ok<{ id: number; pending: boolean }> | Failure> {
  const body = clean(raw);
  if (!body) return fail("invalid", "Write your statement.", "body");
  if (body.length > STATEMENT_MAX) return fail("invalid", `At most ${STATEMENT_MAX} characters: one idea per statement (yours has ${body.length}).`, "body");
  return transaction(async (tx) => {
    const [topic] = await forUpdate(tx.select({ mode: topics.statementMode }).from(topics).where(eq(topics.id, topicId)));
    if (!topic) return fail("not_found", "No such topic.");
    if (topic.mode === "off") return fail("conflict", "This topic takes no statements.");
    if ((await trustLevelOf(tx, author.id, now)) === "new") {
      const [today] = await tx
        .select({ n: count(), first: sql<number | null>`min(${statements.createdAt})`.mapWith(Number) })
        .from(statements)
        .where(and(eq(statements.authorId, author.id), gt(statements.createdAt, now - DAY)));
      const most = trustRules().statementsPerDay;
      const wait = Math.max(1, Math.ceil((Number(today.first) + DAY - now) / 1000));
      if (Number(today.n) >= most) return fail("rate_limited", `A new account may write ${plural(most, "statement")} a day.`, "body", wait);
    }
    const [same] = await tx.select({ id: statements.id }).from(statements).where(and(eq(statements.topicId, topicId), sql`lower(${statements.body}) = ${body.toLowerCase()}`));
    if (same) return fail("conflict", "That statement is here already: rate it instead.", "body");
    const pending = topic.mode === "strict" && !isModerator(author.role);
    const [row] = await tx
      .insert(statements)
      .values({ topicId, authorId: author.id, body, status: pending ? "pending" : "accepted", createdAt: now })
      .returning({ id: statements.id });
    if (!pending) touchTopic(tx, topicId);
    return { ok: true as const, id: row.id, pending };
  });
}

/** Agree (1), disagree (-1) or pass (0) on a shown statement; rating again replaces the rating. */
export async function rateStatement(userId: string, statementId: number, vote: -1 | 0 | 1, now = Date.now()): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [s] = await tx
      .select({ topicId: statements.topicId, status: statements.status, mode: topics.statementMode })
      .from(statements)
      .innerJoin(topics, eq(topics.id, statements.topicId))
      .where(eq(statements.id, statementId));
    if (!s || s.status !== "accepted" || s.mode === "off") return fail("not_found", "No such statement to rate.", "statement");
    await tx
      .insert(statementVotes)
      .values({ statementId, userId, vote, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [statementVotes.statementId, statementVotes.userId], set: { vote, updatedAt: now } });
    touchTopic(tx, s.topicId);
    return { ok: true as const };
  });
}

/** Shown statements of a topic with their counts, oldest first. */
async function shownStatements(conn: DB, topicId: number) {
  const list = await conn
    .select({
      id: statements.id,
      body: statements.body,
      seed: statements.seed,
      createdAt: statements.createdAt,
      agree: sql<number>`coalesce(sum(case when ${statementVotes.vote} = 1 then 1 else 0 end), 0)`.mapWith(Number),
      disagree: sql<number>`coalesce(sum(case when ${statementVotes.vote} = -1 then 1 else 0 end), 0)`.mapWith(Number),
      pass: sql<number>`coalesce(sum(case when ${statementVotes.vote} = 0 then 1 else 0 end), 0)`.mapWith(Number),
    })
    .from(statements)
    .leftJoin(statementVotes, eq(statementVotes.statementId, statements.id))
    .where(and(eq(statements.topicId, topicId), eq(statements.status, "accepted")))
    .groupBy(statements.id, statements.body, statements.seed, statements.createdAt)
    .orderBy(asc(statements.id));
  return list;
}

/** Every rating of a topic's shown statements (what the map and the group figures use). */
export async function statementVotesOf(topicId: number): Promise<Vote[]> {
  const list = await db()
    .select({ userId: statementVotes.userId, statementId: statementVotes.statementId, vote: statementVotes.vote })
    .from(statementVotes)
    .innerJoin(statements, eq(statements.id, statementVotes.statementId))
    .innerJoin(users, eq(users.id, statementVotes.userId))
    .where(and(eq(statements.topicId, topicId), eq(statements.status, "accepted"), eq(users.banned, false)));
  return list.map((v) => ({ ...v, vote: v.vote as -1 | 0 | 1 }));
}

/** The statements page: the next statement for this reader, all shown ones with counts, their own waiting ones, and where they sit. */
export async function getStatementsPage(topicSlug: string, viewer: { id: string } | null) {
  const [topic] = await db().select({ id: topics.id, slug: topics.slug, title: topics.title, mode: topics.statementMode }).from(topics).where(eq(topics.slug, topicSlug));
  if (!topic) return null;
  const shown = await shownStatements(db(), topic.id);
  if (!viewer) return { topic, shown: shown.map((s) => ({ ...s, yours: null as number | null })), next: null as { id: number; body: string } | null, rated: 0, mine: [] as { id: number; body: string; status: string }[], position: null as Awaited<ReturnType<typeof positionOf>> };
  const shownIds = new Set(shown.map((s) => s.id));
  const mineRated = new Map<number, -1 | 0 | 1>();
  for (const v of await db().select({ statementId: statementVotes.statementId, vote: statementVotes.vote }).from(statementVotes).where(eq(statementVotes.userId, viewer.id))) {
    if (shownIds.has(v.statementId)) mineRated.set(v.statementId, v.vote as -1 | 0 | 1);
  }
  const mine = await db()
    .select({ id: statements.id, body: statements.body, status: statements.status })
    .from(statements)
    .where(and(eq(statements.topicId, topic.id), eq(statements.authorId, viewer.id), sql`${statements.status} <> 'accepted'`))
    .orderBy(desc(statements.id));
  const next = nextFor(shown, mineRated);
  const position = mineRated.size ? await positionOf(topic.id, viewer.id, mineRated, shown) : null;
  return { topic, shown: shown.map((s) => ({ ...s, yours: (mineRated.get(s.id) ?? null) as number | null })), next, rated: mineRated.size, mine: mine as { id: number; body: string; status: string }[], position };
}

/** The unrated statement with the highest priority (ties: the oldest). */
function nextFor(shown: ({ id: number; body: string } & Counts)[], rated: Map<number, number>) {
  let best: (typeof shown)[number] | null = null;
  let score = -1;
  for (const s of shown) {
    if (rated.has(s.id)) continue;
    const p = priorityOf(s);
    if (p > score) [best, score] = [s, p];
  }
  return best ? { id: best.id, body: best.body } : null;
}

async function positionOf(topicId: number, userId: string, mine: Map<number, -1 | 0 | 1>, shown: { id: number; body: string }[]) {
  const { groupOf, names } = await mapGroups(topicId);
  const pos = whereISit(mine, await statementVotesOf(topicId), groupOf, names.length, groupOf.get(userId) ?? null);
  if (!pos) return null;
  const body = new Map(shown.map((s) => [s.id, s.body]));
  return { group: names[pos.group], differ: pos.differ.map((d) => ({ ...d, body: body.get(d.statementId) ?? "" })) };
}

/** /t/:topic/statements.json: every shown statement with its counts, and per map group where the group rated it MIN_PEOPLE times. */
export async function statementsJson(topicSlug: string) {
  const [topic] = await db().select({ id: topics.id, slug: topics.slug, mode: topics.statementMode }).from(topics).where(eq(topics.slug, topicSlug));
  if (!topic) return null;
  const shown = await shownStatements(db(), topic.id);
  const { groupOf, names } = await mapGroups(topic.id);
  const votes = await statementVotesOf(topic.id);
  const cells = new Map<string, { agree: number; disagree: number; pass: number }>();
  for (const v of votes) {
    const g = groupOf.get(v.userId);
    if (g === undefined || g < 0) continue;
    const key = `${v.statementId}:${g}`;
    const c = cells.get(key) ?? { agree: 0, disagree: 0, pass: 0 };
    c[v.vote === 1 ? "agree" : v.vote === -1 ? "disagree" : "pass"]++;
    cells.set(key, c);
  }
  const byGroup = (id: number) =>
    names.flatMap((name, g) => {
      const c = cells.get(`${id}:${g}`);
      return c && c.agree + c.disagree + c.pass >= MIN_PEOPLE ? [{ group: name, ...c }] : [];
    });
  return {
    topic: topic.slug,
    mode: topic.mode,
    minGroupVotes: MIN_PEOPLE,
    statements: shown.map((s) => ({ id: s.id, body: s.body, seed: s.seed, agree: s.agree, disagree: s.disagree, pass: s.pass, groups: byGroup(s.id) })),
  };
}

/** The map's statement figures (opinion-map.server.ts): each group's representative statements, and those every group agrees on. */
export function statementFigures(votes: Vote[], groupOf: Map<string, number>, groups: number, bodies: Map<number, string>) {
  const named = <T extends { statementId: number }>(x: T) => ({ ...x, body: bodies.get(x.statementId) ?? "" });
  return {
    representative: representativeStatements(votes, groupOf, groups).map((list) => list.map(named)),
    consensus: groupConsensus(votes, groupOf, groups).map(named),
  };
}

// ---------------------------------------------------------------- moderators

/** Statements waiting for a moderator (strict topics), and the shown ones a moderator may hide. */
export async function statementQueue() {
  const list = await db()
    .select({ id: statements.id, body: statements.body, status: statements.status, seed: statements.seed, createdAt: statements.createdAt, author: users.username, topicSlug: topics.slug, topicTitle: topics.title })
    .from(statements)
    .innerJoin(topics, eq(topics.id, statements.topicId))
    .leftJoin(users, eq(users.id, statements.authorId))
    .orderBy(asc(statements.id))
    .limit(500);
  const modes = await db().select({ id: topics.id, slug: topics.slug, title: topics.title, mode: topics.statementMode }).from(topics).orderBy(asc(topics.id));
  return { pending: list.filter((s) => s.status === "pending"), shown: list.filter((s) => s.status === "accepted"), hidden: list.filter((s) => s.status === "hidden"), topics: modes };
}

/** Accept, hide, or show again; logged. */
export async function moderateStatement(modId: string, id: number, action: "accept" | "hide", reason: string | null, now = Date.now()): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [s] = await forUpdate(tx.select({ topicId: statements.topicId, status: statements.status }).from(statements).where(eq(statements.id, id)));
    if (!s) return fail("not_found", "No such statement.");
    const status = action === "accept" ? "accepted" : "hidden";
    if (s.status === status) return fail("conflict", `This statement is ${action === "accept" ? "shown" : "hidden"} already.`);
    await tx.update(statements).set({ status, moderatedAt: now, moderatedBy: modId }).where(eq(statements.id, id));
    touchTopic(tx, s.topicId);
    await logAction(tx, modId, action === "accept" ? "statement.accept" : "statement.hide", "statement", id, reason);
    return { ok: true as const };
  });
}

/** A topic's statements: off, strict or lazy (admins). */
export async function setStatementMode(adminId: string | null, topicId: number, mode: StatementMode): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [t] = await forUpdate(tx.select({ mode: topics.statementMode }).from(topics).where(eq(topics.id, topicId)));
    if (!t) return fail("not_found", "No such topic.");
    if (t.mode === mode) return { ok: true as const };
    await tx.update(topics).set({ statementMode: mode }).where(eq(topics.id, topicId));
    touchTopic(tx, topicId);
    if (adminId) await logAction(tx, adminId, "topic.statements", "topic", topicId, null, { from: t.mode, to: mode });
    return { ok: true as const };
  });
}

/** A seed statement (an admin's, or the seed's): shown at once, no author named. */
export async function addSeedStatement(adminId: string | null, topicId: number, raw: string, now = Date.now()): Promise<Ok<{ id: number }> | Failure> {
  const body = clean(raw);
  if (!body) return fail("invalid", "Write the statement.", "body");
  if (body.length > STATEMENT_MAX) return fail("invalid", `At most ${STATEMENT_MAX} characters (this has ${body.length}).`, "body");
  return transaction(async (tx) => {
    const [same] = await tx.select({ id: statements.id }).from(statements).where(and(eq(statements.topicId, topicId), sql`lower(${statements.body}) = ${body.toLowerCase()}`));
    if (same) return fail("conflict", "That statement is here already.", "body");
    const [row] = await tx.insert(statements).values({ topicId, authorId: null, body, status: "accepted", seed: true, createdAt: now, moderatedAt: now, moderatedBy: adminId }).returning({ id: statements.id });
    touchTopic(tx, topicId);
    if (adminId) await logAction(tx, adminId, "statement.seed", "statement", row.id, null);
    return { ok: true as const, id: row.id };
  });
}

/** Whether a topic has seed statements (the seed adds them once). */
export async function hasSeedStatements(topicId: number): Promise<boolean> {
  const [r] = await db().select({ n: count() }).from(statements).where(and(eq(statements.topicId, topicId), eq(statements.seed, true)));
  return Number(r.n) > 0;
}

// ---------------------------------------------------------------- a person's own

/** A person's statements and ratings, for their data export. */
export async function statementsOfUser(userId: string) {
  const written = await db()
    .select({ topic: topics.slug, body: statements.body, status: statements.status, createdAt: statements.createdAt })
    .from(statements)
    .innerJoin(topics, eq(topics.id, statements.topicId))
    .where(eq(statements.authorId, userId))
    .orderBy(asc(statements.id));
  const ratings = await db()
    .select({ topic: topics.slug, statement: statements.body, vote: statementVotes.vote, updatedAt: statementVotes.updatedAt })
    .from(statementVotes)
    .innerJoin(statements, eq(statements.id, statementVotes.statementId))
    .innerJoin(topics, eq(topics.id, statements.topicId))
    .where(eq(statementVotes.userId, userId))
    .orderBy(asc(statements.id));
  const word = { 1: "agree", [-1]: "disagree", 0: "pass" } as Record<number, string>;
  return { written, ratings: ratings.map((r) => ({ ...r, vote: word[r.vote] })) };
}

/** Inside an account deletion: the person's ratings go, and their statements are emptied and hidden (like their comments' text). */
export async function eraseStatementsOfUserInTransaction(tx: DB, userId: string, now: number): Promise<void> {
  await tx.delete(statementVotes).where(eq(statementVotes.userId, userId));
  await tx.update(statements).set({ body: "", status: "hidden", moderatedAt: now }).where(eq(statements.authorId, userId));
}

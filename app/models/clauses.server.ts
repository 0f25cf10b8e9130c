import { and, asc, eq, inArray } from "drizzle-orm";
import { db, isUniqueViolation, transaction, type DB } from "../../db/client";
import { docCells, docClauses, docComparisons, docVersions, polls, topics } from "../../db/schema";
import type { ClauseStatus } from "../../db/schema/domain";
import { fail, type Failure, type Ok } from "./outcome";
import { createPoll, pollForm } from "./polls.server";
import { logAction } from "./moderation-log.server";
import { touchTopic } from "./data-versions.server";
import { liveVoters } from "./tallies.server";

// A document's versions compared clause by clause, per topic (decision 020).
// Each clause owns a scale poll; that poll's thread is the clause's thread,
// so its comments are anchored to the clause and flow into the topic's
// discussion, search, notifications and moderation like any other.

export type { ClauseStatus };

export type Cell = { status: ClauseStatus; summary: string; sourceUrl: string | null };
export type Version = { id: number; position: number; label: string; released: string; sourceUrl: string | null };
export type Clause = {
  id: number;
  position: number;
  slug: string;
  title: string;
  poll: { slug: string; question: string; voters: number; comments: number } | null;
  /** By version id; a version without a cell says nothing about the clause. */
  cells: Record<number, Cell>;
};
export type Comparison = { topicId: number; title: string; intro: string; updatedAt: number; versions: Version[]; clauses: Clause[] };

/** The clause poll's question; the clause's name goes first, so the question stands on its own in lists and results. */
export const clausePollQuestion = (title: string) => `${title}: does this clause keep the license from being open source?`;

/** A topic's clauses with their polls, in order, for the topic page (empty when it has no comparison). */
export async function listClauseLinks(topicId: number) {
  return db()
    .select({ slug: docClauses.slug, title: docClauses.title, pollId: polls.id, pollSlug: polls.slug, voters: liveVoters, comments: polls.commentCount })
    .from(docClauses)
    .innerJoin(polls, eq(polls.id, docClauses.pollId))
    .where(eq(docClauses.topicId, topicId))
    .orderBy(asc(docClauses.position), asc(docClauses.id));
}

/** The whole comparison of a topic, or null when it has none. */
export async function getComparison(topicId: number): Promise<Comparison | null> {
  const [head] = await db().select().from(docComparisons).where(eq(docComparisons.topicId, topicId));
  if (!head) return null;
  const versions = await db()
    .select({ id: docVersions.id, position: docVersions.position, label: docVersions.label, released: docVersions.released, sourceUrl: docVersions.sourceUrl })
    .from(docVersions)
    .where(eq(docVersions.topicId, topicId))
    .orderBy(asc(docVersions.position), asc(docVersions.id));
  const clauseRows = await db()
    .select({
      id: docClauses.id,
      position: docClauses.position,
      slug: docClauses.slug,
      title: docClauses.title,
      pollSlug: polls.slug,
      question: polls.question,
      voters: liveVoters,
      comments: polls.commentCount,
    })
    .from(docClauses)
    .leftJoin(polls, eq(polls.id, docClauses.pollId))
    .where(eq(docClauses.topicId, topicId))
    .orderBy(asc(docClauses.position), asc(docClauses.id));
  const cells = clauseRows.length
    ? await db()
        .select()
        .from(docCells)
        .where(inArray(docCells.clauseId, clauseRows.map((c) => c.id)))
    : [];
  const clauses = clauseRows.map((c) => ({
    id: c.id,
    position: c.position,
    slug: c.slug,
    title: c.title,
    poll: c.pollSlug ? { slug: c.pollSlug, question: c.question!, voters: c.voters!, comments: c.comments! } : null,
    cells: Object.fromEntries(cells.filter((x) => x.clauseId === c.id).map((x) => [x.versionId, { status: x.status, summary: x.summary, sourceUrl: x.sourceUrl }])),
  }));
  return { topicId, title: head.title, intro: head.intro, updatedAt: head.updatedAt, versions, clauses };
}

/** The clause a poll belongs to, with its row of the timeline: the poll page shows what its thread is about. */
export async function getClauseOfPoll(pollId: number): Promise<{ slug: string; title: string; row: { version: string; cell: Cell | null }[] } | null> {
  const [clause] = await db().select({ id: docClauses.id, topicId: docClauses.topicId }).from(docClauses).where(eq(docClauses.pollId, pollId));
  if (!clause) return null;
  const comparison = await getComparison(clause.topicId);
  const c = comparison?.clauses.find((x) => x.id === clause.id);
  if (!comparison || !c) return null;
  return { slug: c.slug, title: c.title, row: comparison.versions.map((v) => ({ version: v.label, cell: c.cells[v.id] ?? null })) };
}

// ---------------------------------------------------------------- writes
// Every write names its actor (null for the seed), is logged when an admin
// makes it, and bumps the topic's data version: the page cache follows.

async function changed(tx: DB, topicId: number, actorId: string | null, action: string, target: string | number, details?: unknown) {
  touchTopic(tx, topicId);
  await tx.update(docComparisons).set({ updatedAt: Date.now() }).where(eq(docComparisons.topicId, topicId));
  if (actorId) await logAction(tx, actorId, action, "topic", target, null, details);
}

export type ComparisonInput = { title: string; intro: string };

export async function saveComparison(actorId: string | null, topicId: number, input: ComparisonInput): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const [topic] = await tx.select({ id: topics.id }).from(topics).where(eq(topics.id, topicId));
    if (!topic) return fail("not_found", "No such topic.");
    await tx
      .insert(docComparisons)
      .values({ topicId, title: input.title, intro: input.intro, updatedAt: Date.now() })
      .onConflictDoUpdate({ target: docComparisons.topicId, set: { title: input.title, intro: input.intro } });
    await changed(tx, topicId, actorId, "versions.edit", topicId, { title: input.title });
    return { ok: true };
  });
}

export type VersionInput = { label: string; released: string; sourceUrl: string | null; position: number };

async function comparisonExists(tx: DB, topicId: number): Promise<boolean> {
  return (await tx.select({ id: docComparisons.topicId }).from(docComparisons).where(eq(docComparisons.topicId, topicId))).length > 0;
}

/** Adds a version (versionId null) or changes one. */
export async function saveVersion(actorId: string | null, topicId: number, versionId: number | null, input: VersionInput): Promise<Ok<{ id: number }> | Failure> {
  return transaction(async (tx) => {
    if (!(await comparisonExists(tx, topicId))) return fail("not_found", "This topic has no comparison yet: give it a title first.");
    let id = versionId;
    if (id === null) {
      [{ id }] = await tx.insert(docVersions).values({ topicId, ...input }).returning({ id: docVersions.id });
    } else {
      const done = await tx.update(docVersions).set(input).where(and(eq(docVersions.id, id), eq(docVersions.topicId, topicId))).returning({ id: docVersions.id });
      if (done.length === 0) return fail("not_found", "No such version.");
    }
    await changed(tx, topicId, actorId, "versions.version", topicId, { id, label: input.label });
    return { ok: true, id };
  });
}

export async function deleteVersion(actorId: string | null, topicId: number, versionId: number): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const gone = await tx.delete(docVersions).where(and(eq(docVersions.id, versionId), eq(docVersions.topicId, topicId))).returning({ label: docVersions.label });
    if (gone.length === 0) return fail("not_found", "No such version.");
    await changed(tx, topicId, actorId, "versions.version_delete", topicId, { id: versionId, label: gone[0].label });
    return { ok: true };
  });
}

export type ClauseInput = { slug: string; title: string; position: number };

/**
 * Adds a clause with its scale poll ("clause-<slug>", asked `question`), or
 * changes a clause's title and place. The poll is made first, by the one way
 * polls are made; if the clause cannot follow, the new poll goes again.
 */
export async function saveClause(actorId: string | null, topicId: number, clauseId: number | null, input: ClauseInput, question = clausePollQuestion(input.title)): Promise<Ok<{ id: number }> | Failure> {
  if (clauseId !== null) {
    return transaction(async (tx) => {
      const done = await tx
        .update(docClauses)
        .set({ title: input.title, position: input.position })
        .where(and(eq(docClauses.id, clauseId), eq(docClauses.topicId, topicId)))
        .returning({ id: docClauses.id });
      if (done.length === 0) return fail("not_found", "No such clause.");
      await changed(tx, topicId, actorId, "versions.clause", topicId, { id: clauseId, title: input.title });
      return { ok: true, id: clauseId };
    });
  }
  // A new clause needs a slug: it names the clause's anchor and its poll.
  if (!input.slug) return fail("invalid", "Choose a slug.", "slug");
  const [taken] = await db().select({ id: docClauses.id }).from(docClauses).where(and(eq(docClauses.topicId, topicId), eq(docClauses.slug, input.slug)));
  if (taken) return fail("invalid", "That slug is taken by another clause.", "slug");
  if (!(await comparisonExists(db(), topicId))) return fail("not_found", "This topic has no comparison yet: give it a title first.");
  const poll = await createPoll(
    topicId,
    pollForm({
      slug: `clause-${input.slug}`.slice(0, 64),
      question,
      descriptionMd: `About the clause "${input.title}". See how it changed from version to version on the [versions page](/t/${await topicSlug(topicId)}/versions#clause-${input.slug}).`,
      kind: "scale",
      options: [],
    }),
    { actorId },
  );
  if (!poll.ok) return poll.field === "slug" ? fail("invalid", `A poll with the slug "clause-${input.slug}" already exists in this topic.`, "slug") : poll;
  try {
    return await transaction(async (tx) => {
      const [{ id }] = await tx.insert(docClauses).values({ topicId, pollId: poll.id, ...input }).returning({ id: docClauses.id });
      await changed(tx, topicId, actorId, "versions.clause", topicId, { id, title: input.title });
      return { ok: true as const, id };
    });
  } catch (err) {
    await transaction((tx) => tx.delete(polls).where(eq(polls.id, poll.id)));
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken by another clause.", "slug");
    throw err;
  }
}

async function topicSlug(topicId: number): Promise<string> {
  const [t] = await db().select({ slug: topics.slug }).from(topics).where(eq(topics.id, topicId));
  return t?.slug ?? "";
}

/** Removes a clause and its cells. Its poll and thread stay, as an ordinary poll of the topic. */
export async function deleteClause(actorId: string | null, topicId: number, clauseId: number): Promise<Ok | Failure> {
  return transaction(async (tx) => {
    const gone = await tx.delete(docClauses).where(and(eq(docClauses.id, clauseId), eq(docClauses.topicId, topicId))).returning({ title: docClauses.title });
    if (gone.length === 0) return fail("not_found", "No such clause.");
    await changed(tx, topicId, actorId, "versions.clause_delete", topicId, { id: clauseId, title: gone[0].title });
    return { ok: true };
  });
}

/** Sets what a clause is in one version (cell null: says nothing). */
export async function saveCell(actorId: string | null, topicId: number, clauseId: number, versionId: number, cell: Cell | null): Promise<Ok | Failure> {
  if (cell && !cell.summary) return fail("invalid", "Write a short summary, in your own words.", "summary");
  return transaction(async (tx) => {
    const [clause] = await tx.select({ id: docClauses.id }).from(docClauses).where(and(eq(docClauses.id, clauseId), eq(docClauses.topicId, topicId)));
    const [version] = await tx.select({ id: docVersions.id }).from(docVersions).where(and(eq(docVersions.id, versionId), eq(docVersions.topicId, topicId)));
    if (!clause || !version) return fail("not_found", "No such clause or version in this topic.");
    if (cell === null) {
      await tx.delete(docCells).where(and(eq(docCells.clauseId, clauseId), eq(docCells.versionId, versionId)));
    } else {
      await tx
        .insert(docCells)
        .values({ clauseId, versionId, ...cell })
        .onConflictDoUpdate({ target: [docCells.clauseId, docCells.versionId], set: { ...cell } });
    }
    await changed(tx, topicId, actorId, "versions.cell", topicId, { clauseId, versionId, status: cell?.status ?? null });
    return { ok: true };
  });
}

export { CLAUSE_STATUSES as CLAUSE_STATUS_LIST } from "../../db/schema/domain";

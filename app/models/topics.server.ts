import { asc, desc, eq, sql } from "drizzle-orm";
import { changes, db, isUniqueViolation, prepared, transaction, type DB } from "../../db/client";
import { topics } from "../../db/schema";
import { renderMarkdown } from "../lib/markdown.server";
import { logAction } from "./moderation-log.server";
import { fail, type Failure, type Ok } from "./outcome";
import { touchTopic } from "./data-versions.server";

export type TopicInput = { slug: string; title: string; summaryMd: string; sourceUrl: string | null };

/** Inserts a topic inside the caller's transaction; a taken slug throws a unique violation. */
async function insertTopic(tx: DB, input: TopicInput): Promise<number> {
  const now = Date.now();
  const [row] = await tx
    .insert(topics)
    .values({ ...input, summaryHtml: renderMarkdown(input.summaryMd), createdAt: now, updatedAt: now, activeAt: now })
    .returning({ id: topics.id });
  return row.id;
}


/** The one way a topic is made: by an admin (logged) or by the seed (actorId null). */
export async function createTopic(input: TopicInput, actorId: string | null = null): Promise<Ok<{ id: number; slug: string }> | Failure> {
  try {
    return await transaction(async (tx) => {
      const id = await insertTopic(tx, input);
      touchTopic(tx, id);
      if (actorId !== null) await logAction(tx, actorId, "topic.create", "topic", id, null, { slug: input.slug });
      return { ok: true as const, id, slug: input.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken.", "slug");
    throw err;
  }
}

export async function updateTopic(adminId: string, topicId: number, input: TopicInput): Promise<{ ok: true; slug: string } | Failure> {
  try {
    return await transaction(async (tx) => {
      const res = await tx
        .update(topics)
        .set({ ...input, summaryHtml: renderMarkdown(input.summaryMd), updatedAt: Date.now() })
        .where(eq(topics.id, topicId));
      if (changes(res) === 0) return fail("not_found", "No such topic.");
      touchTopic(tx, topicId);
      await logAction(tx, adminId, "topic.edit", "topic", topicId, null, { slug: input.slug });
      return { ok: true as const, slug: input.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken.", "slug");
    throw err;
  }
}

/** Every column of a topic, for its edit form. */
export async function getTopicForEdit(slug: string) {
  const [topic] = await db().select().from(topics).where(eq(topics.slug, slug));
  return topic ?? null;
}

export async function listTopicsForAdmin() {
  return db().select({ id: topics.id, slug: topics.slug, title: topics.title, locked: topics.locked }).from(topics).orderBy(asc(topics.id));
}

const listQuery = prepared("topics.list", (conn) =>
  conn
    .select({
      id: topics.id,
      slug: topics.slug,
      title: topics.title,
      locked: topics.locked,
      commentCount: topics.commentCount,
      // Spelled out: drizzle leaves columns unqualified in a one-table select,
      // and an unqualified "id" would bind to the subquery's own table.
      // Questions as the topic page lists them; a clause's question is counted with its clause (issue 23).
      pollCount: sql<number>`(select count(*) from polls p where p.topic_id = topics.id and not exists (select 1 from doc_clauses dc where dc.poll_id = p.id))`,
      clauseCount: sql<number>`(select count(*) from polls p where p.topic_id = topics.id and exists (select 1 from doc_clauses dc where dc.poll_id = p.id))`,
      answerCount: sql<number>`(select coalesce(sum(p.voter_count), 0) from polls p where p.topic_id = topics.id)
        + (select coalesce(sum(td.delta), 0) from tally_deltas td join polls p on p.id = td.poll_id where p.topic_id = topics.id and td.option_id is null)`,
      createdAt: topics.createdAt,
      activeAt: topics.activeAt,
    })
    .from(topics)
    // Latest activity first: a new comment brings its topic to the top.
    .orderBy(desc(topics.activeAt), asc(topics.id)),
);

export async function listTopics() {
  return listQuery().all();
}

const bySlug = prepared("topics.bySlug", (conn) => conn.select().from(topics).where(eq(topics.slug, sql.placeholder("slug"))));

export async function getTopicBySlug(slug: string) {
  return (await bySlug().get({ slug })) ?? null;
}

export type Topic = NonNullable<Awaited<ReturnType<typeof getTopicBySlug>>>;

import { asc, eq, sql } from "drizzle-orm";
import { db, prepared } from "../../db/client";
import { topics } from "../../db/schema/sqlite";
import { renderMarkdown } from "../lib/markdown.server";

export type TopicInput = { slug: string; title: string; summaryMd: string; sourceUrl: string | null };

/** Inserts a topic (usable inside a caller's transaction); a taken slug throws SQLITE_CONSTRAINT_UNIQUE. */
export function insertTopic(input: TopicInput): number {
  const now = Date.now();
  const row = db()
    .insert(topics)
    .values({ ...input, summaryHtml: renderMarkdown(input.summaryMd), createdAt: now, updatedAt: now })
    .returning({ id: topics.id })
    .get();
  return row.id;
}

export async function createTopic(input: TopicInput): Promise<number> {
  return insertTopic(input);
}

const listQuery = prepared((conn) =>
  conn
    .select({
      id: topics.id,
      slug: topics.slug,
      title: topics.title,
      locked: topics.locked,
      commentCount: topics.commentCount,
      // Spelled out: drizzle leaves columns unqualified in a one-table select,
      // and an unqualified "id" would bind to the subquery's own table.
      pollCount: sql<number>`(select count(*) from polls p where p.topic_id = topics.id)`,
      answerCount: sql<number>`(select coalesce(sum(p.voter_count), 0) from polls p where p.topic_id = topics.id)`,
      createdAt: topics.createdAt,
    })
    .from(topics)
    .orderBy(asc(topics.createdAt), asc(topics.id))
    .prepare(),
);

export async function listTopics() {
  return listQuery().all();
}

const bySlug = prepared((conn) =>
  conn.select().from(topics).where(eq(topics.slug, sql.placeholder("slug"))).prepare(),
);

export async function getTopicBySlug(slug: string) {
  return bySlug().get({ slug }) ?? null;
}

export type Topic = NonNullable<Awaited<ReturnType<typeof getTopicBySlug>>>;

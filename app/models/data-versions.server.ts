import { eq, sql } from "drizzle-orm";
import { beforeCommit, exec, prepared, type DB } from "../../db/client";
import { comments, dataVersions, polls, topics } from "../../db/schema";

// Data versions: a counter per topic, bumped in the transaction of every
// write that changes what a public page shows, except votes. The page cache
// keys on them (docs/caching.md), and since they live in the database, every
// instance sees a write the moment it commits.
//
// No row is written by every write on the site, nor by every vote on a topic
// (issue 25). The home page's version is derived from the topics' (their sum,
// which any bump raises). A vote writes one ballot log entry and nothing
// shared, so a topic's version adds its logs' lengths: the entries its latest
// checkpoints cover plus those pending. Every ballot change adds an entry, and
// the integrator moves entries from pending to covered in one transaction,
// so the sum grows with each vote and with nothing else.

const bump = prepared("versions.bump", (c) =>
  c
    .insert(dataVersions)
    .values({ scope: sql.placeholder("scope"), version: 1 })
    .onConflictDoUpdate({ target: dataVersions.scope, set: { version: sql`${dataVersions.version} + 1` } }),
);

// Hooks run in key order: topics by id. Every transaction takes these rows in
// that order, last, so they never deadlock and stay locked only while the
// transaction commits.
const key = (scope: number) => `version:${String(scope).padStart(12, "0")}`;

function touch(tx: DB, scope: number) {
  beforeCommit(tx, key(scope), (t) => bump(t).run({ scope }));
}

/** The topic's pages change with this transaction (and so does the home page, whose version sums the topics'). */
export function touchTopic(tx: DB, topicId: number): void {
  touch(tx, topicId);
}

/** Everything may show differently (an author banned or deleted, whose comments are everywhere). */
export function touchEverything(tx: DB): void {
  beforeCommit(tx, "version:~every-topic", (t) =>
    exec(
      t,
      sql`insert into data_versions (scope, version) select id, 1 from topics where true
        on conflict (scope) do update set version = data_versions.version + 1`,
    ),
  );
}

const siteVersion = prepared("versions.site", (c) =>
  c
    .select({
      version: sql<number | null>`(select coalesce(sum(version), 0) from data_versions where scope > 0)`,
      // Pending entries counted poll by poll: an index probe each, never a scan of every log.
      logs: sql<number>`(select coalesce(sum(size), 0) from log_checkpoints)
        + (select coalesce(sum((select count(*) from log_entries le where le.poll_id = lp.id and le.idx is null)), 0) from polls lp)`.mapWith(Number),
      topics: sql<number>`(select count(*) from topics)`,
      closed: sql<number>`count(*)`,
    })
    .from(polls)
    .where(sql`${polls.closesAt} <= ${sql.placeholder("now")}`),
);

/** A page version's columns, given the SQL column that holds the topic id of the row found. */
const versionColumns = (topicId: string) => ({
  topicId: sql<number>`${sql.raw(topicId)}`,
  version: sql<number | null>`(select version from data_versions where scope = ${sql.raw(topicId)})`,
  logs: sql<number>`(select coalesce(sum(lc.size), 0) from log_checkpoints lc join polls lp on lp.id = lc.poll_id where lp.topic_id = ${sql.raw(topicId)})
    + (select count(*) from log_entries le join polls lp on lp.id = le.poll_id where lp.topic_id = ${sql.raw(topicId)} and le.idx is null)`.mapWith(Number),
  closed: sql<number>`(select count(*) from polls p where p.topic_id = ${sql.raw(topicId)} and p.closes_at <= ${sql.placeholder("now")})`,
});

const topicVersion = prepared("versions.topic", (c) =>
  c.select(versionColumns("topics.id")).from(topics).where(eq(topics.slug, sql.placeholder("slug"))),
);

const commentVersion = prepared("versions.comment", (c) =>
  c.select(versionColumns("comments.topic_id")).from(comments).where(eq(comments.id, sql.placeholder("id"))),
);

export type PageScope = { site: true } | { topic: string } | { comment: number };

/**
 * What a public page in this scope is drawn from, as a string that changes
 * whenever the page may: the scope's data version, and how many of its polls
 * have closed by `now` (closing takes no write, yet changes what is shown).
 * Null when the scope names nothing.
 */
export async function pageVersion(scope: PageScope, now: number): Promise<string | null> {
  if ("site" in scope) {
    const r = await siteVersion().get({ now });
    return `s.${r?.version ?? 0}.${r?.logs ?? 0}.${r?.topics ?? 0}.${r?.closed ?? 0}`;
  }
  const r = "topic" in scope ? await topicVersion().get({ slug: scope.topic, now }) : await commentVersion().get({ id: scope.comment, now });
  return r ? `t${r.topicId}.${r.version ?? 0}.${r.logs}.${r.closed}` : null;
}

const topicVersionById = prepared("versions.topicById", (c) =>
  c.select(versionColumns("topics.id")).from(topics).where(eq(topics.id, sql.placeholder("id"))),
);

/** What one topic's aggregates are read from, as a string that changes whenever they may (votes included). */
export async function topicDataVersion(topicId: number): Promise<string> {
  const r = await topicVersionById().get({ id: topicId, now: 0 });
  return r ? `${r.version ?? 0}.${r.logs}` : "none";
}

import { LIMITS } from "../lib/format";
import { plainMarkdown } from "../lib/markdown.server";
import { eq, inArray, sql, type SQL } from "drizzle-orm";
import { db, engine, rows } from "../../db/client";
import { comments, polls, topics, users } from "../../db/schema";
import { fail, type Failure, type Ok } from "./outcome";

// Search over topic titles and summaries, poll questions and visible
// comments. SQLite: an FTS5 index kept by triggers (migrations/sqlite/0007).
// PostgreSQL: generated tsvector columns with GIN indexes
// (migrations/pg/0006). Both are written in the transaction of the write.

export const SEARCH_PAGE_SIZE = 20;
export const MAX_QUERY_LENGTH = LIMITS.search;
const MAX_WORDS = 12;

/** Highlight marks around matches; they cannot occur in stored text that matters. */
const START = "\u0001";
const STOP = "\u0002";
const MARKS = new RegExp(`([${START}${STOP}])`);

export type Segment = { text: string; hit: boolean };
export type SearchHit = {
  kind: "topic" | "poll" | "comment";
  id: number;
  topic: { slug: string; title: string };
  poll: { slug: string; question: string } | null;
  title: Segment[];
  snippet: Segment[];
  author: string | null;
  createdAt: number;
};

/**
 * The words of a query. Quotes, brackets, operators and the like are not
 * syntax here: only letters and digits are searched for, all of them.
 */
export function searchWords(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, 64)))].slice(0, MAX_WORDS);
}

/** Splits highlighted text at the marks into plain and matched parts (React escapes each). */
export function segments(marked: string): Segment[] {
  const out: Segment[] = [];
  let hit = false;
  for (const part of marked.split(MARKS)) {
    if (part === START) hit = true;
    else if (part === STOP) hit = false;
    else if (part) {
      // Snippets are cut from markdown source: show its words, not its marks (issue 23).
      const text = plainMarkdown(part).replace(/\s+/g, " ");
      if (text) out.push({ text, hit });
    }
  }
  return out;
}

type Row = { rowid: number; kind: SearchHit["kind"]; id: number; title_hl: string; body_hl: string };

async function sqliteSearch(words: string[], topicId: number | null, offset: number): Promise<Row[]> {
  // Each word quoted: FTS5 sees strings, never operators.
  const match = words.map((w) => `"${w}"`).join(" ");
  const inTopic = topicId === null ? sql`` : sql` and topic_id = ${topicId}`;
  // Ranked first; then snippets for the page's rows only. (FTS5 here does not
  // apply `rowid = ?` next to MATCH: it answers every match. A list does work.)
  const ranked = await rows<{ rowid: number; kind: SearchHit["kind"] }>(
    db(),
    sql`select rowid, kind from search_fts where search_fts match ${match}${inTopic}
        order by bm25(search_fts, 4.0, 1.0), rowid desc limit ${SEARCH_PAGE_SIZE + 1} offset ${offset}`,
  );
  if (ranked.length === 0) return [];
  const lit = await rows<{ rowid: number; title_hl: string; body_hl: string }>(
    db(),
    sql`select rowid, highlight(search_fts, 0, ${START}, ${STOP}) as title_hl, snippet(search_fts, 1, ${START}, ${STOP}, '…', 24) as body_hl
        from search_fts where search_fts match ${match} and rowid in (select value from json_each(${JSON.stringify(ranked.map((r) => r.rowid))}))`,
  );
  const byRow = new Map(lit.map((l) => [Number(l.rowid), l]));
  return ranked.map((r) => ({
    rowid: r.rowid,
    kind: r.kind,
    id: Math.floor(r.rowid / 4),
    title_hl: byRow.get(Number(r.rowid))?.title_hl ?? "",
    body_hl: byRow.get(Number(r.rowid))?.body_hl ?? "",
  }));
}

async function pgSearch(words: string[], topicId: number | null, offset: number): Promise<Row[]> {
  const text = words.join(" ");
  const q = sql`plainto_tsquery('english', ${text})`;
  const inTopic = (col: SQL) => (topicId === null ? sql`` : sql` and ${col} = ${topicId}`);
  // Ranked first, and only the page's rows get headlines (ts_headline reads the whole text).
  const ranked = await rows<{ kind: SearchHit["kind"]; id: number; rank: number }>(
    db(),
    sql`select kind, id, rank from (
          select 'topic' as kind, id, ts_rank(search, ${q}) * 4 as rank from topics where search @@ ${q}${inTopic(sql`id`)}
          union all
          select 'poll', id, ts_rank(search, ${q}) * 4 from polls where search @@ ${q}${inTopic(sql`topic_id`)}
          union all
          select 'comment', id, ts_rank(search, ${q}) from comments
            where search @@ ${q} and deleted_at is null and removed_at is null${inTopic(sql`topic_id`)}
        ) r order by rank desc, id desc limit ${SEARCH_PAGE_SIZE + 1} offset ${offset}`,
  );
  if (ranked.length === 0) return [];
  const texts = await sourceTexts(ranked);
  const opts = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15, ShortWord=2, FragmentDelimiter=" … "`;
  const titles = ranked.map((r) => texts.get(`${r.kind}:${r.id}`)?.title ?? "");
  const bodies = ranked.map((r) => texts.get(`${r.kind}:${r.id}`)?.body ?? "");
  const lit = (a: string[]) => sql`array[${sql.join(a.map((x) => sql`${x}`), sql`, `)}]::text[]`;
  const hl = await rows<{ n: number; title_hl: string; body_hl: string }>(
    db(),
    sql`select n, ts_headline('english', t, ${q}, ${`${opts}, HighlightAll=true`}) as title_hl, ts_headline('english', b, ${q}, ${opts}) as body_hl
        from unnest(${lit(titles)}, ${lit(bodies)}) with ordinality as x(t, b, n)`,
  );
  const byN = new Map(hl.map((h) => [Number(h.n), h]));
  return ranked.map((r, i) => ({ rowid: 0, kind: r.kind, id: r.id, title_hl: byN.get(i + 1)?.title_hl ?? "", body_hl: byN.get(i + 1)?.body_hl ?? "" }));
}

/** The searchable text of each row, for PostgreSQL's headlines. */
async function sourceTexts(found: { kind: SearchHit["kind"]; id: number }[]) {
  const ids = (k: SearchHit["kind"]) => found.filter((f) => f.kind === k).map((f) => f.id);
  const out = new Map<string, { title: string; body: string }>();
  const t = ids("topic");
  if (t.length) for (const r of await db().select({ id: topics.id, title: topics.title, body: topics.summaryMd }).from(topics).where(inArray(topics.id, t))) out.set(`topic:${r.id}`, r);
  const p = ids("poll");
  if (p.length) for (const r of await db().select({ id: polls.id, title: polls.question, body: polls.descriptionMd }).from(polls).where(inArray(polls.id, p))) out.set(`poll:${r.id}`, r);
  const c = ids("comment");
  if (c.length) for (const r of await db().select({ id: comments.id, body: comments.bodyMd }).from(comments).where(inArray(comments.id, c))) out.set(`comment:${r.id}`, { title: "", body: r.body });
  return out;
}

/** Where each hit lives: its topic, its poll, its author. */
async function placesOf(found: Row[]) {
  const ids = (k: SearchHit["kind"]) => found.filter((f) => f.kind === k).map((f) => Number(f.id));
  const commentRows = ids("comment").length
    ? await db()
        .select({ id: comments.id, topicId: comments.topicId, pollId: comments.pollId, author: users.username, authorDeleted: users.deletedAt, createdAt: comments.createdAt })
        .from(comments)
        .innerJoin(users, eq(users.id, comments.authorId))
        .where(inArray(comments.id, ids("comment")))
    : [];
  const pollIds = [...ids("poll"), ...commentRows.map((c) => c.pollId).filter((p): p is number => p !== null)];
  const pollRows = pollIds.length
    ? await db().select({ id: polls.id, topicId: polls.topicId, slug: polls.slug, question: polls.question, createdAt: polls.createdAt }).from(polls).where(inArray(polls.id, pollIds))
    : [];
  const topicIds = [...ids("topic"), ...pollRows.map((p) => p.topicId), ...commentRows.map((c) => c.topicId)];
  const topicRows = topicIds.length
    ? await db().select({ id: topics.id, slug: topics.slug, title: topics.title, createdAt: topics.createdAt }).from(topics).where(inArray(topics.id, topicIds))
    : [];
  return {
    comments: new Map(commentRows.map((c) => [c.id, c])),
    polls: new Map(pollRows.map((p) => [p.id, p])),
    topics: new Map(topicRows.map((t) => [t.id, t])),
  };
}

export type SearchResult = { words: string[]; topic: { slug: string; title: string } | null; hits: SearchHit[]; page: number; hasMore: boolean };

/**
 * Ranked matches, `SEARCH_PAGE_SIZE` a page, optionally within one topic.
 * Removed and deleted comments are never found.
 */
export async function search(query: string, opts: { topic?: string | null; page?: number } = {}): Promise<Ok<SearchResult> | Failure> {
  if (query.length > MAX_QUERY_LENGTH) return fail("invalid", `Keep a search under ${MAX_QUERY_LENGTH} characters.`, "q");
  const page = Math.max(1, Math.min(opts.page ?? 1, 50));
  let topic: { id: number; slug: string; title: string } | null = null;
  if (opts.topic) {
    const [t] = await db().select({ id: topics.id, slug: topics.slug, title: topics.title }).from(topics).where(eq(topics.slug, opts.topic));
    if (!t) return fail("not_found", "No such topic.", "topic");
    topic = t;
  }
  const words = searchWords(query);
  if (words.length === 0) return { ok: true, words, topic, hits: [], page, hasMore: false };
  const offset = (page - 1) * SEARCH_PAGE_SIZE;
  const found = engine() === "sqlite" ? await sqliteSearch(words, topic?.id ?? null, offset) : await pgSearch(words, topic?.id ?? null, offset);
  const hasMore = found.length > SEARCH_PAGE_SIZE;
  const pageRows = found.slice(0, SEARCH_PAGE_SIZE);
  const places = await placesOf(pageRows);
  const hits: SearchHit[] = [];
  for (const r of pageRows) {
    const id = Number(r.id);
    if (r.kind === "topic") {
      const t = places.topics.get(id);
      if (!t) continue;
      hits.push({ kind: "topic", id, topic: t, poll: null, title: segments(r.title_hl), snippet: segments(r.body_hl), author: null, createdAt: t.createdAt });
    } else if (r.kind === "poll") {
      const p = places.polls.get(id);
      const t = p && places.topics.get(p.topicId);
      if (!p || !t) continue;
      hits.push({ kind: "poll", id, topic: t, poll: p, title: segments(r.title_hl), snippet: segments(r.body_hl), author: null, createdAt: p.createdAt });
    } else {
      const c = places.comments.get(id);
      const t = c && places.topics.get(c.topicId);
      if (!c || !t) continue;
      const p = c.pollId === null ? null : (places.polls.get(c.pollId) ?? null);
      hits.push({ kind: "comment", id, topic: t, poll: p, title: [], snippet: segments(r.body_hl), author: c.authorDeleted === null ? c.author : "[deleted]", createdAt: c.createdAt });
    }
  }
  return { ok: true, words, topic: topic && { slug: topic.slug, title: topic.title }, hits, page, hasMore };
}

import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { db, exclusively, transaction } from "../../db/client";
import { ballotChoices, ballots, opinionMaps, pollOptions, polls, statements, topics, users } from "../../db/schema";
import { MAP_VERSION, MIN_ANSWERED, summariseOpinions, type Answers, type MapOption, type MapPoll, type MapSummary } from "../lib/opinion-map";
import { isClosed } from "../lib/visibility";
import { touchTopic } from "./data-versions.server";
import { statementFigures, statementVotesOf } from "./statements.server";
import { liveVoters } from "./tallies.server";

// The opinion map (issue 14, decision 018): which groups a topic's community
// falls into across its questions, and where they agree. Computed in the
// background from ballots and kept as a snapshot; pages only read it.

export { MAP_VERSION, MIN_GROUP, type MapGroup, type Share } from "../lib/opinion-map";
/** Recompute when the ballots grew or shrank by this share since the snapshot... */
export const RECOMPUTE_CHANGE = 0.05;
/** ...or when anything changed and the snapshot is this old. */
export const RECOMPUTE_AGE_MS = 3600_000;
const MAP_LOCK = 7_014_2026;

/** The installed versions of the mathematics libraries, kept with each snapshot. */
function libraryVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of ["ml-pca", "ml-kmeans"]) {
    try {
      // Their package.json is not exported: find it beside the resolved entry point.
      const entry = require.resolve(name);
      const root = entry.slice(0, entry.lastIndexOf(`node_modules${path.sep}${name}${path.sep}`) + `node_modules${path.sep}${name}`.length);
      out[name] = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      out[name] = "unknown";
    }
  }
  return out;
}
const LIBRARIES = libraryVersions();

type PollRow = MapPoll & { visibility: "always" | "after_vote" | "after_close"; closesAt: number | null };

export type MapData = Omit<MapSummary, "method"> & {
  version: typeof MAP_VERSION;
  /** People's statements (issue 28): each group's representative ones (Pol.is repness), and those every group agrees on (group-informed consensus). */
  statements?: ReturnType<typeof statementFigures> & { count: number };
  topic: string;
  computedAt: string;
  ballots: number;
  polls: { slug: string; question: string }[];
  method: MapSummary["method"] & { libraries: Record<string, string> };
};

/** Public polls of a topic: results shown to everyone (always, or closed). */
async function publicPolls(topicId: number, now: number) {
  const list = (await db()
    .select({ id: polls.id, slug: polls.slug, question: polls.question, kind: polls.kind, visibility: polls.visibility, closesAt: polls.closesAt })
    .from(polls)
    .where(eq(polls.topicId, topicId))
    .orderBy(polls.position, polls.id)) as PollRow[];
  // A ranked ballot is an order, which the map's one column per answer cannot hold (issue 28).
  return list.filter((p) => (p.kind as string) !== "ranked" && (p.visibility === "always" || isClosed(p, now)));
}

/** The answers counted: every public poll's ballots and every rating of a shown statement; the number the snapshot is compared on. */
async function ballotCount(topicId: number, pollIds: number[]): Promise<number> {
  const [r] = pollIds.length ? await db().select({ n: sql<number>`coalesce(sum(${liveVoters}), 0)` }).from(polls).where(inArray(polls.id, pollIds)) : [{ n: 0 }];
  const [s] = await db()
    .select({ n: sql<number>`count(*)` })
    .from(sql`statement_votes v join statements s on s.id = v.statement_id`)
    .where(sql`s.topic_id = ${topicId} and s.status = 'accepted'`);
  return Number(r.n) + Number(s.n);
}

/**
 * Shown statements as questions of the map (issue 28): each one a scale
 * column, agree +1, pass 0, disagree -1 (Pol.is's vote matrix), with ids
 * below zero so they never meet a poll's.
 */
async function statementColumns(topicId: number) {
  const shown = await db().select({ id: statements.id, body: statements.body }).from(statements).where(and(eq(statements.topicId, topicId), eq(statements.status, "accepted")));
  const votes = await statementVotesOf(topicId);
  const columns: MapPoll[] = shown.map((st) => ({ id: -st.id, slug: `statement-${st.id}`, question: st.body, kind: "scale" }));
  const answers = votes.map((v) => ({ userId: v.userId, pollId: -v.statementId, option: { id: -(v.statementId * 4 + v.vote + 2), pollId: -v.statementId, label: String(v.vote), value: 3 + 2 * v.vote } }));
  return { columns, answers, votes, bodies: new Map(shown.map((st) => [st.id, st.body])) };
}

/** Computes a topic's map from its ballots now (the background job calls this; tests too). */
export async function computeOpinionMap(topicId: number, now = Date.now()): Promise<{ data: MapData; members: Record<string, [number, number, number]>; ballots: number } | null> {
  const [topic] = await db().select({ slug: topics.slug }).from(topics).where(eq(topics.id, topicId));
  if (!topic) return null;
  const pollList = await publicPolls(topicId, now);
  const pollIds = pollList.map((p) => p.id);
  const options = (pollIds.length
    ? await db().select({ id: pollOptions.id, pollId: pollOptions.pollId, label: pollOptions.label, value: pollOptions.value, position: pollOptions.position }).from(pollOptions).where(inArray(pollOptions.pollId, pollIds)).orderBy(pollOptions.pollId, pollOptions.position)
    : []) as MapOption[];
  const byId = new Map(options.map((o) => [o.id, o]));
  // Nobody can have answered two polls of a topic with fewer than two.
  const rows = pollIds.length >= MIN_ANSWERED
    ? await db()
        .select({ userId: ballots.userId, pollId: ballots.pollId, optionId: ballotChoices.optionId })
        .from(ballots)
        .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballots.id))
        .innerJoin(users, eq(users.id, ballots.userId))
        .where(and(inArray(ballots.pollId, pollIds), eq(users.banned, false), isNull(users.deletedAt)))
    : [];
  const st = await statementColumns(topicId);
  const chosen: Answers = new Map();
  const add = (userId: string, pollId: number, o: MapOption) => {
    const mine = chosen.get(userId) ?? new Map<number, MapOption[]>();
    mine.set(pollId, [...(mine.get(pollId) ?? []), o]);
    chosen.set(userId, mine);
  };
  for (const r of rows) {
    const o = byId.get(r.optionId);
    if (o) add(r.userId, r.pollId, o);
  }
  for (const a of st.answers) add(a.userId, a.pollId, a.option);
  const { summary: all, members } = summariseOpinions([...pollList, ...st.columns], options, chosen, now);
  // The poll figures name polls; statements have figures of their own.
  const isPoll = (x: { pollSlug: string }) => !x.pollSlug.startsWith("statement-");
  const summary = { ...all, groups: all.groups.map((g) => ({ ...g, distinct: g.distinct.filter(isPoll) })), consensus: all.consensus.filter(isPoll) };
  const groupOf = new Map(Object.entries(members).map(([u, m]) => [u, m[2]]));
  const statementData = st.columns.length ? { ...statementFigures(st.votes, groupOf, summary.groups.length, st.bodies), count: st.columns.length } : undefined;
  const ballotsUsed = await ballotCount(topicId, pollIds);
  const data: MapData = {
    version: MAP_VERSION,
    topic: topic.slug,
    computedAt: new Date(now).toISOString(),
    ballots: ballotsUsed,
    polls: pollList.map((p) => ({ slug: p.slug, question: p.question })),
    ...summary,
    statements: statementData,
    method: { ...summary.method, libraries: LIBRARIES },
  };
  return { data, members, ballots: ballotsUsed };
}

/** Computes and stores a topic's snapshot (touching the topic, so shared pages are drawn anew). */
export async function refreshOpinionMap(topicId: number, now = Date.now()): Promise<boolean> {
  const map = await computeOpinionMap(topicId, now);
  if (!map) return false;
  const row = { topicId, computedAt: now, ballotCount: map.ballots, data: JSON.stringify(map.data), members: JSON.stringify(map.members) };
  await transaction(async (tx) => {
    touchTopic(tx, topicId);
    await tx.insert(opinionMaps).values(row).onConflictDoUpdate({ target: opinionMaps.topicId, set: { computedAt: now, ballotCount: map.ballots, data: row.data, members: row.members } });
  });
  return true;
}

/** Whether a snapshot is due: none yet, 5% more or fewer ballots, or an hour old with any change. */
export function snapshotDue(snapshot: { computedAt: number; ballotCount: number } | undefined, ballotsNow: number, now: number): boolean {
  if (!snapshot) return ballotsNow > 0;
  const change = Math.abs(ballotsNow - snapshot.ballotCount);
  if (change === 0) return false;
  return change >= Math.max(1, snapshot.ballotCount * RECOMPUTE_CHANGE) || now - snapshot.computedAt >= RECOMPUTE_AGE_MS;
}

/**
 * The background job: recomputes every topic whose snapshot is due. With
 * several instances on PostgreSQL one runs it at a time (an advisory lock,
 * tried, never waited for); the request path never waits for it.
 */
export async function refreshDueOpinionMaps(now = Date.now()): Promise<number> {
  let done = 0;
  await exclusively(MAP_LOCK, async () => {
    const list = await db().select({ id: topics.id }).from(topics);
    const snaps = await db().select({ topicId: opinionMaps.topicId, computedAt: opinionMaps.computedAt, ballotCount: opinionMaps.ballotCount }).from(opinionMaps);
    const byTopic = new Map(snaps.map((s) => [s.topicId, s]));
    for (const t of list) {
      const count = await ballotCount(t.id, (await publicPolls(t.id, now)).map((p) => p.id));
      if (!snapshotDue(byTopic.get(t.id), count, now)) continue;
      if (await refreshOpinionMap(t.id, now)) done++;
    }
  });
  return done;
}

/** The snapshot as pages show it; `viewerId` adds that person's own place, for them alone. */
export async function getOpinionMap(topicSlug: string, viewerId: string | null) {
  const [row] = await db()
    .select({ title: topics.title, slug: topics.slug, data: opinionMaps.data, members: opinionMaps.members })
    .from(topics)
    .leftJoin(opinionMaps, eq(opinionMaps.topicId, topics.id))
    .where(eq(topics.slug, topicSlug));
  if (!row) return null;
  const data = row.data ? (JSON.parse(row.data) as MapData) : null;
  let you: { x: number; y: number; group: number } | null = null;
  if (viewerId && row.members) {
    const mine = (JSON.parse(row.members) as Record<string, [number, number, number]>)[viewerId];
    if (mine) you = { x: mine[0], y: mine[1], group: mine[2] };
  }
  return { topic: { slug: row.slug, title: row.title }, map: data, you };
}

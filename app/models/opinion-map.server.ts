import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { db, exclusively, transaction } from "../../db/client";
import { ballotChoices, ballots, opinionMaps, pollOptions, polls, topics, users } from "../../db/schema";
import { clusterOpinions, seededRandom } from "../lib/opinion-clusters";
import { wilsonInterval } from "../lib/stats";
import { isClosed } from "../lib/visibility";
import { touchTopic } from "./versions.server";

// The opinion map (issue 14, decision 018): which groups a topic's community
// falls into across its questions, and where they agree. Computed in the
// background from ballots and kept as a snapshot; pages only read it.

export const MAP_VERSION = 1;
/** A person counts once they answered this many of the topic's public polls. */
export const MIN_ANSWERED = 2;
/** No group smaller than this is shown: smaller ones fold into "others", or are left out. */
export const MIN_GROUP = 10;
/** An answer is shared when every group shown picks it at least this often. */
export const CONSENSUS_SHARE = 0.6;
/** A group's answer stands out when its share differs from everyone else's by this much, intervals apart. */
export const DISTINCT_BY = 0.15;
/** Recompute when the ballots grew or shrank by this share since the snapshot... */
export const RECOMPUTE_CHANGE = 0.05;
/** ...or when anything changed and the snapshot is this old. */
export const RECOMPUTE_AGE_MS = 3600_000;
/** Points are snapped to a grid of this step (the axes run from -1 to 1). */
const GRID = 0.05;
const SEED = 20_231_026;
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

type PollRow = { id: number; slug: string; question: string; kind: "single" | "multiple" | "scale"; visibility: "always" | "after_vote" | "after_close"; closesAt: number | null };
type OptionRow = { id: number; pollId: number; label: string; value: number | null; position: number };

/** An answer a group can be compared on: one option, or for scales "agree" / "disagree". */
type Answer = { key: string; pollSlug: string; question: string; label: string; matches: (chosen: OptionRow[]) => boolean };

export type Share = { share: number; low: number; high: number; n: number };
export type MapGroup = {
  id: string;
  name: string;
  size: number;
  distinct: { pollSlug: string; question: string; answer: string; group: Share; rest: Share; difference: number }[];
};
export type MapData = {
  version: typeof MAP_VERSION;
  topic: string;
  computedAt: string;
  ballots: number;
  people: number;
  polls: { slug: string; question: string }[];
  method: { reduction: "pca"; clustering: "k-means"; k: number; silhouette: number | null; explained: [number, number]; seed: number; libraries: Record<string, string>; minGroup: number };
  groups: MapGroup[];
  /** People in groups too small to show, when together they make a group of their own. */
  others: number;
  /** People left out: in groups too small to show, even together. */
  hidden: number;
  consensus: { pollSlug: string; question: string; answer: string; shares: Share[] }[];
  /** Anonymous points on a grid: [x, y, group index or -1 for others, people there]. */
  cells: [number, number, number, number][];
};

/** Public polls of a topic: results shown to everyone (always, or closed). */
async function publicPolls(topicId: number, now: number) {
  const list = (await db()
    .select({ id: polls.id, slug: polls.slug, question: polls.question, kind: polls.kind, visibility: polls.visibility, closesAt: polls.closesAt })
    .from(polls)
    .where(eq(polls.topicId, topicId))
    .orderBy(polls.position, polls.id)) as PollRow[];
  return list.filter((p) => p.visibility === "always" || isClosed(p, now));
}

/** The ballots counted: every public poll's, and the number the snapshot is compared on. */
async function ballotCount(pollIds: number[]): Promise<number> {
  if (pollIds.length === 0) return 0;
  const [r] = await db().select({ n: sql<number>`coalesce(sum(${polls.voterCount}), 0)` }).from(polls).where(inArray(polls.id, pollIds));
  return Number(r.n);
}

/**
 * Each person's answers as a vector: one 0/1 column per option of a choice
 * poll, one centred column per scale ((value - 3) / 2). A poll someone did
 * not answer takes each column's mean among those who did (decision 018).
 */
function vectors(pollList: PollRow[], options: OptionRow[], chosen: Map<string, Map<number, OptionRow[]>>) {
  const columns: { pollId: number; optionId: number | null }[] = [];
  for (const p of pollList) {
    if (p.kind === "scale") columns.push({ pollId: p.id, optionId: null });
    else for (const o of options.filter((o) => o.pollId === p.id)) columns.push({ pollId: p.id, optionId: o.id });
  }
  const people = [...chosen.keys()].sort();
  const raw = people.map((u) =>
    columns.map((c) => {
      const picked = chosen.get(u)!.get(c.pollId);
      if (!picked) return null;
      if (c.optionId === null) return ((picked[0]?.value ?? 3) - 3) / 2;
      return picked.some((o) => o.id === c.optionId) ? 1 : 0;
    }),
  );
  const means = columns.map((_, j) => {
    const known = raw.map((r) => r[j]).filter((v): v is number => v !== null);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  });
  return { people, matrix: raw.map((r) => r.map((v, j) => v ?? means[j])) };
}

function answersOf(pollList: PollRow[], options: OptionRow[]): Answer[] {
  const out: Answer[] = [];
  for (const p of pollList) {
    if (p.kind === "scale") {
      out.push({ key: `${p.id}:agree`, pollSlug: p.slug, question: p.question, label: "Agree (4 or 5)", matches: (c) => (c[0]?.value ?? 0) >= 4 });
      out.push({ key: `${p.id}:disagree`, pollSlug: p.slug, question: p.question, label: "Disagree (1 or 2)", matches: (c) => (c[0]?.value ?? 6) <= 2 });
    } else {
      for (const o of options.filter((o) => o.pollId === p.id)) out.push({ key: `${o.id}`, pollSlug: p.slug, question: p.question, label: o.label, matches: (c) => c.some((x) => x.id === o.id) });
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const shareOf = (yes: number, n: number): Share => {
  const [low, high] = wilsonInterval(yes, n);
  return { share: round(n ? yes / n : 0), low: round(low), high: round(high), n };
};

/** Computes a topic's map from its ballots now (the background job calls this; tests too). */
export async function computeOpinionMap(topicId: number, now = Date.now()): Promise<{ data: MapData; members: Record<string, [number, number, number]>; ballots: number } | null> {
  const [topic] = await db().select({ slug: topics.slug }).from(topics).where(eq(topics.id, topicId));
  if (!topic) return null;
  const pollList = await publicPolls(topicId, now);
  const pollIds = pollList.map((p) => p.id);
  const options = (pollIds.length
    ? await db().select({ id: pollOptions.id, pollId: pollOptions.pollId, label: pollOptions.label, value: pollOptions.value, position: pollOptions.position }).from(pollOptions).where(inArray(pollOptions.pollId, pollIds)).orderBy(pollOptions.pollId, pollOptions.position)
    : []) as OptionRow[];
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
  const chosen = new Map<string, Map<number, OptionRow[]>>();
  for (const r of rows) {
    const o = byId.get(r.optionId);
    if (!o) continue;
    const mine = chosen.get(r.userId) ?? new Map<number, OptionRow[]>();
    mine.set(r.pollId, [...(mine.get(r.pollId) ?? []), o]);
    chosen.set(r.userId, mine);
  }
  for (const [u, m] of chosen) if (m.size < MIN_ANSWERED) chosen.delete(u);
  const { people, matrix } = vectors(pollList, options, chosen);
  const clustering = clusterOpinions(matrix, SEED);

  // Groups by size; those under MIN_GROUP fold into "others" (left out if that is small too).
  const sizes = new Map<number, number>();
  for (const g of clustering.groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const shown = [...sizes.entries()].filter(([, n]) => n >= MIN_GROUP).sort((a, b) => b[1] - a[1]).map(([g]) => g);
  const small = people.length - shown.reduce((s, g) => s + sizes.get(g)!, 0);
  const othersShown = small >= MIN_GROUP;
  const labelOf = (g: number) => (shown.includes(g) ? shown.indexOf(g) : othersShown ? -1 : null);

  const answers = answersOf(pollList, options);
  const groupMembers = shown.map((g) => people.filter((_, i) => clustering.groups[i] === g));
  const stat = (members: string[], a: Answer) => {
    const pollId = Number(pollList.find((p) => p.slug === a.pollSlug)!.id);
    let n = 0;
    let yes = 0;
    for (const u of members) {
      const c = chosen.get(u)!.get(pollId);
      if (!c) continue;
      n++;
      if (a.matches(c)) yes++;
    }
    return shareOf(yes, n);
  };
  const groups: MapGroup[] = groupMembers.map((members, gi) => {
    const inGroup = new Set(members);
    const rest = people.filter((u) => !inGroup.has(u));
    const distinct = answers
      .map((a) => {
        const mine = stat(members, a);
        const theirs = stat(rest, a);
        return { pollSlug: a.pollSlug, question: a.question, answer: a.label, group: mine, rest: theirs, difference: mine.share - theirs.share };
      })
      .filter((d) => d.group.n > 0 && d.rest.n > 0 && Math.abs(d.difference) >= DISTINCT_BY && (d.group.low > d.rest.high || d.group.high < d.rest.low))
      .sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference))
      .slice(0, 4);
    return { id: String.fromCharCode(65 + gi), name: `Group ${String.fromCharCode(65 + gi)}`, size: members.length, distinct };
  });
  const everyone = groupMembers.length ? groupMembers : [people];
  const consensus = people.length >= MIN_GROUP
    ? answers
        .map((a) => ({ pollSlug: a.pollSlug, question: a.question, answer: a.label, shares: everyone.map((m) => stat(m, a)) }))
        .filter((c) => c.shares.every((s) => s.n > 0 && s.share >= CONSENSUS_SHARE))
    : [];

  // Points: scaled to -1..1, jittered by a seed of this snapshot's time and
  // snapped to a grid, then counted per cell: no point stands for one person
  // that could be followed from one snapshot to the next.
  const scale = Math.max(1e-9, ...clustering.points.flat().map(Math.abs));
  const jitter = seededRandom(now % 2_147_483_647);
  const snap = (v: number) => Math.max(-1, Math.min(1, Math.round((v / scale + (jitter() - 0.5) * GRID * 2) / GRID) * GRID));
  const members: Record<string, [number, number, number]> = {};
  const cells = new Map<string, [number, number, number, number]>();
  people.forEach((u, i) => {
    const label = labelOf(clustering.groups[i]);
    if (label === null) return;
    const x = Number(snap(clustering.points[i][0]).toFixed(2));
    const y = Number(snap(clustering.points[i][1]).toFixed(2));
    members[u] = [x, y, label];
    const key = `${x}:${y}:${label}`;
    const cell = cells.get(key) ?? [x, y, label, 0];
    cell[3]++;
    cells.set(key, cell);
  });
  const ballotsUsed = await ballotCount(pollIds);
  const data: MapData = {
    version: MAP_VERSION,
    topic: topic.slug,
    computedAt: new Date(now).toISOString(),
    ballots: ballotsUsed,
    people: people.length,
    polls: pollList.map((p) => ({ slug: p.slug, question: p.question })),
    method: { reduction: "pca", clustering: "k-means", k: clustering.k, silhouette: clustering.silhouette, explained: clustering.explained, seed: SEED, libraries: LIBRARIES, minGroup: MIN_GROUP },
    groups,
    others: othersShown ? small : 0,
    hidden: othersShown ? 0 : small,
    consensus,
    cells: [...cells.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]),
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
      const count = await ballotCount((await publicPolls(t.id, now)).map((p) => p.id));
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

import { sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import { db, engine, prepared, rows, type DB } from "../../db/client";
import { ballotHistory, tallyDaily } from "../../db/schema";
import { pageClock } from "../lib/format";
import { pollPercents, meanBrierOneHot, weightedMean, wilsonInterval } from "../lib/stats";
import { PUBLIC_VIEWER, resultsVisibility, type Viewer } from "../lib/visibility";
import { instantRunoff, type Runoff } from "../lib/runoff";
import { getMyChoices, rankedBallots } from "./ballots.server";
import { mapGroups } from "./map-groups.server";
import { MIN_GROUP } from "../lib/opinion-map";
import { getPollsOfTopic, isClosed, type Poll, type PollKind } from "./polls.server";
import { getTopicBySlug } from "./topics.server";
import { topicDataVersion } from "./data-versions.server";

/** Version of the JSON shape of /t/:topic/results.json; bump on breaking changes. */
export const RESULTS_VERSION = 1;

/** Cross-tab cells below this many people are shown as "<5". */
export const MIN_CELL = 5;

export type OptionResult = {
  id: number;
  label: string;
  value: number | null;
  count: number;
  /** Of count, guests' (issue 27): members' are count - guests. */
  guests: number;
  /** count / voters, 0..1 */
  share: number;
  /** Rounded percentage; for single choice and scales the percentages sum to 100. */
  percent: number;
  /** 95% Wilson interval of the share. */
  low: number;
  high: number;
};

export type PollResult = {
  slug: string;
  question: string;
  kind: PollKind;
  isPrediction: boolean;
  closesAt: number | null;
  closed: boolean;
  voters: number;
  /** Of voters, guests (one browser, no account; issue 27). */
  guests: number;
  /** Whether guests may answer it. */
  allowGuests: boolean;
  visible: boolean;
  hiddenReason: string | null;
  options: OptionResult[] | null;
  mean: number | null;
  /** A ranked poll's instant runoff, round by round (issue 28); null for other kinds, or before anyone answered. */
  runoff: RunoffResult | null;
  resolutionCriteria: string | null;
  resolution: {
    optionLabel: string;
    note: string | null;
    sourceUrl: string | null;
    resolvedAt: number;
    /** Share of voters who picked the outcome. */
    accuracy: number | null;
    /** Mean Brier score of the ballots standing at resolution (0 best, 2 worst). */
    brier: number | null;
  } | null;
  lastVoteAt: number | null;
  /** The public ballot log's views and latest signed checkpoint (read with the counts above); null while results are not public to everyone. */
  ballotLog: { entries: number; csv: string; json: string; checkpoint: { size: number; root: string; url: string } } | null;
};

/** A ranked poll's first choices within one group of the topic's opinion map (only groups with MIN_GROUP ballots or more). */
export type GroupFirsts = { group: string; ballots: number; counts: { optionId: number; votes: number }[] };
type Counted = Runoff & { firstByGroup: GroupFirsts[] };

/** The runoff as results carry it: each round's counts name their option. */
export type RunoffResult = Omit<Counted, "rounds"> & {
  rounds: (Omit<Runoff["rounds"][number], "counts"> & { counts: { optionId: number; label: string; votes: number }[] })[];
};

function runoffResult(poll: Poll, runoff: Counted | undefined): RunoffResult | null {
  if (!runoff) return null;
  const label = new Map(poll.options.map((o) => [o.id, o.label]));
  return { ...runoff, rounds: runoff.rounds.map((r) => ({ ...r, counts: r.counts.map((c) => ({ ...c, label: label.get(c.optionId) ?? "" })) })) };
}

/** First choices per opinion group (issue 28), for groups with MIN_GROUP ballots or more: no figure about fewer people. */
function firstsByGroup(ballots: { userId: string; ranking: number[] }[], options: number[], groups: { groupOf: Map<string, number>; names: string[] }): GroupFirsts[] {
  return groups.names.flatMap((group, g) => {
    const mine = ballots.filter((b) => groups.groupOf.get(b.userId) === g);
    if (mine.length < MIN_GROUP) return [];
    return [{ group, ballots: mine.length, counts: options.map((optionId) => ({ optionId, votes: mine.filter((b) => b.ranking[0] === optionId).length })) }];
  });
}

const lastVote = prepared("results.lastVote", (c) =>
  c
    .select({ at: sql<number | null>`max(${ballotHistory.at})` })
    .from(ballotHistory)
    .where(sql`${ballotHistory.pollId} = ${sql.placeholder("pollId")}`),
);

function pollResult(poll: Poll, viewer: Viewer, now: number, lastVoteAt: number | null, topicSlug: string, runoff?: Counted): PollResult {
  const decision = resultsVisibility(poll, viewer, now);
  const voters = poll.voterCount;
  let options: OptionResult[] | null = null;
  let mean: number | null = null;
  let resolution: PollResult["resolution"] = null;
  if (decision.visible) {
    const counts = poll.options.map((o) => o.count);
    const rounded = pollPercents(poll.kind, counts, voters);
    options = poll.options.map((o, i) => {
      const [low, high] = wilsonInterval(o.count, voters);
      return { id: o.id, label: o.label, value: o.value, count: o.count, guests: o.guestCount, share: voters ? o.count / voters : 0, percent: rounded[i], low, high };
    });
    if (poll.kind === "scale") {
      mean = weightedMean(
        poll.options.map((o) => o.value ?? 0),
        counts,
      );
    }
    if (poll.resolvedOptionId !== null && poll.resolvedAt !== null) {
      const right = poll.options.find((o) => o.id === poll.resolvedOptionId);
      resolution = {
        optionLabel: right?.label ?? "(unknown option)",
        note: poll.resolutionNote,
        sourceUrl: poll.resolutionSourceUrl,
        resolvedAt: poll.resolvedAt,
        accuracy: voters && right ? right.count / voters : null,
        brier: right ? meanBrierOneHot(right.count, voters) : null,
      };
    }
  }
  return {
    slug: poll.slug,
    question: poll.question,
    kind: poll.kind,
    isPrediction: poll.isPrediction,
    closesAt: poll.closesAt,
    closed: isClosed(poll, now),
    voters,
    guests: poll.guestVoters,
    allowGuests: poll.allowGuests,
    visible: decision.visible,
    hiddenReason: decision.visible ? null : decision.reason,
    options,
    mean,
    runoff: decision.visible ? runoffResult(poll, runoff) : null,
    resolutionCriteria: poll.resolutionCriteria,
    resolution,
    // To the minute, and only where the results show (issue 23): an exact
    // instant would undo the log's hour rounding for anyone who knows when a
    // neighbour acted, and a hidden poll's would tell when people answer it.
    lastVoteAt: decision.visible && lastVoteAt !== null ? Math.floor(lastVoteAt / 60_000) * 60_000 : null,
    ballotLog: resultsVisibility(poll, PUBLIC_VIEWER, now).visible
      ? {
          // The log's length these counts include: the signed entries and those still being placed.
          entries: poll.treeSize + poll.pendingEntries,
          csv: `/t/${topicSlug}/p/${poll.slug}/ballots.csv`,
          json: `/t/${topicSlug}/p/${poll.slug}/ballots.json`,
          // The signed tree (issue 25): its size and base64 root, as the checkpoint says them.
          checkpoint: { size: poll.treeSize, root: poll.treeRoot ? Buffer.from(poll.treeRoot, "hex").toString("base64") : "", url: `/t/${topicSlug}/p/${poll.slug}/log/checkpoint` },
        }
      : null,
  };
}

export type TopicResults = ReturnType<typeof buildResults>;

/**
 * What every viewer's results are drawn from, kept per topic and data
 * version: the version is read from the database each time, so a kept copy
 * is never older than the last committed write (docs/caching.md). A signed-in
 * reader's page then costs the version read, their own ballots and the render.
 */
type Aggregates = { polls: Poll[]; lastVotes: (number | null)[]; trends: Map<string, Trend>; runoffs: Map<number, Counted> };
type Kept = LRUCache<number, { version: string; data: Aggregates }>;
// Per open database: versions of another database (a test's, a restored copy's) mean nothing here.
const keptBy = new WeakMap<DB, Kept>();

async function readAggregates(topicId: number, withTrends: boolean): Promise<Aggregates> {
  const polls = await getPollsOfTopic(topicId);
  const lastVotes = await Promise.all(polls.map(async (p) => (await lastVote().get({ pollId: p.id }))?.at ?? null));
  return { polls, lastVotes, trends: withTrends ? await getTrends(polls) : new Map(), runoffs: await runoffsOf(topicId, polls) };
}

/** Ranked polls are counted from their ballots (the counters hold first preferences only), with first choices per opinion group. */
async function runoffsOf(topicId: number, polls: Poll[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>();
  const ranked = polls.filter((x) => x.kind === "ranked");
  if (!ranked.length) return out;
  const groups = await mapGroups(topicId);
  for (const p of ranked) {
    const ballots = await rankedBallots(p.id);
    const options = p.options.map((o) => o.id);
    const counted = instantRunoff(ballots.map((b) => b.ranking), options);
    if (counted) out.set(p.id, { ...counted, firstByGroup: firstsByGroup(ballots, options, groups) });
  }
  return out;
}

async function aggregatesOf(topicId: number, fresh = false): Promise<Aggregates> {
  if (fresh) return readAggregates(topicId, false);
  let aggregates = keptBy.get(db());
  if (!aggregates) keptBy.set(db(), (aggregates = new LRUCache({ max: 200 })));
  const version = await topicDataVersion(topicId);
  const kept = aggregates.get(topicId);
  if (kept && kept.version === version) return kept.data;
  const data = await readAggregates(topicId, true);
  // A write that committed while these were read leaves them newer than `version`, never older.
  aggregates.set(topicId, { version, data });
  return data;
}

/** A topic's results as the public sees them. */
function buildResults(topic: { id: number; slug: string; title: string }, { polls, lastVotes, runoffs }: Aggregates, now: number) {
  const results = polls.map((p, i) => pollResult(p, PUBLIC_VIEWER, now, lastVotes[i], topic.slug, runoffs.get(p.id)));
  const lastUpdate = results.reduce<number | null>((m, r) => (r.lastVoteAt !== null && (m === null || r.lastVoteAt > m) ? r.lastVoteAt : m), null);
  return {
    version: RESULTS_VERSION,
    topic: { slug: topic.slug, title: topic.title },
    generatedAt: new Date(pageClock(now)).toISOString(),
    lastUpdate: lastUpdate === null ? null : new Date(lastUpdate).toISOString(),
    polls: results,
  };
}

/**
 * Aggregates of a topic's polls, from the tallies (never the ballots), as
 * the public sees them; a signed-in reader's own copies are `resultsMine`.
 * `fresh` reads the counters now, past the kept copy (and without trends):
 * results.json, which re-counts check, shows the database as it is.
 */
export async function getTopicResults(slug: string, now = Date.now(), opts: { fresh?: boolean } = {}) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  const agg = await aggregatesOf(topic.id, opts.fresh);
  const data = buildResults(topic, agg, now);
  return { topicId: topic.id, polls: agg.polls, trends: agg.trends, data };
}

/** Public aggregates by topic id, for the live stream. */
export async function getPublicResultsById(topicId: number, slug: string, title: string, now = Date.now()) {
  return buildResults({ id: topicId, slug, title }, await aggregatesOf(topicId), now);
}

export type Trend = { days: string[]; series: { optionId: number; label: string; shares: number[] }[] };

/** Daily shares per option from the roll-up (the state at each day's end), gaps carried forward. */
export async function getTrends(polls: Poll[]): Promise<Map<string, Trend>> {
  const out = new Map<string, Trend>();
  if (polls.length === 0) return out;
  const rollups = await db()
    .select({ pollId: tallyDaily.pollId, day: tallyDaily.day, optionId: tallyDaily.optionId, count: tallyDaily.count, voters: tallyDaily.voters })
    .from(tallyDaily)
    .where(sql`${tallyDaily.pollId} in ${polls.map((p) => p.id)}`)
    .orderBy(tallyDaily.pollId, tallyDaily.day, tallyDaily.optionId);
  for (const poll of polls) {
    const mine = rollups.filter((r) => r.pollId === poll.id);
    if (mine.length === 0) continue;
    const first = mine[0].day;
    const last = mine[mine.length - 1].day;
    const days: string[] = [];
    for (let d = Date.parse(`${first}T00:00:00Z`); d <= Date.parse(`${last}T00:00:00Z`) && days.length < 366; d += 86_400_000) {
      days.push(new Date(d).toISOString().slice(0, 10));
    }
    const byDay = new Map<string, Map<number, { count: number; voters: number }>>();
    for (const r of mine) {
      const m = byDay.get(r.day) ?? new Map();
      m.set(r.optionId, { count: r.count, voters: r.voters });
      byDay.set(r.day, m);
    }
    const series = poll.options.map((o) => ({ optionId: o.id, label: o.label, shares: [] as number[] }));
    let carry = new Map<number, { count: number; voters: number }>();
    for (const day of days) {
      carry = byDay.get(day) ?? carry;
      for (const s of series) {
        const v = carry.get(s.optionId);
        s.shares.push(v && v.voters > 0 ? v.count / v.voters : 0);
      }
    }
    out.set(poll.slug, { days, series });
  }
  return out;
}

export type CrossTab = {
  a: { slug: string; question: string; options: { id: number; label: string }[] };
  b: { slug: string; question: string; options: { id: number; label: string }[] };
  /** rows follow a.options, columns b.options; rounded to CROSSTAB_BASE; null means fewer than MIN_CELL voters. */
  cells: (number | null)[][];
  rowTotals: (number | null)[];
  /** The answers as they stood at this time (the start of an hour). */
  asOf: number;
};

/** Cross-tab cells are rounded to a multiple of this, as statistics offices publish tables. */
export const CROSSTAB_BASE = 5;
const HOUR = 3_600_000;

/** Start of the hour `now` falls in: the cross-tab shows the answers as they stood then. */
export const crossTabSnapshotTime = (now: number) => Math.floor(now / HOUR) * HOUR;

/** Suppressed under MIN_CELL, otherwise rounded to the nearest multiple of CROSSTAB_BASE (never below MIN_CELL). */
export function publishedCell(n: number): number | null {
  if (n < MIN_CELL) return null;
  return Math.max(MIN_CELL, Math.round(n / CROSSTAB_BASE) * CROSSTAB_BASE);
}

/**
 * Raw counts of people by (answer to A, answer to B), from each person's last
 * ballot event before `asOf`: a snapshot that cannot move until the next hour,
 * so watching it while one person changes an answer tells nothing.
 */
async function crossCounts(a: number, b: number, asOf: number) {
  const conn = db();
  const standing = (poll: number) => sql`select h.user_id, h.option_ids from ballot_history h
    where h.id in (select max(id) from ballot_history where poll_id = ${poll} and at < ${asOf} group by user_id)`;
  // Each ballot's option ids are a JSON array; each engine has its own way to unnest one.
  const pg = engine() === "pg";
  const each = (list: string, alias: string) =>
    sql.raw(pg ? `cross join lateral jsonb_array_elements_text(${list}::jsonb) as ${alias}(value)` : `cross join json_each(${list}) as ${alias}`);
  const answered = sql.raw(pg ? "jsonb_array_length(lb.option_ids::jsonb) > 0" : "json_array_length(lb.option_ids) > 0");
  const pairs = await rows<{ a: number; b: number; n: number }>(conn, sql`
    with la as (${standing(a)}), lb as (${standing(b)})
    select cast(ja.value as integer) as a, cast(jb.value as integer) as b, count(*) as n
    from la join lb on lb.user_id = la.user_id ${each("la.option_ids", "ja")} ${each("lb.option_ids", "jb")}
    group by 1, 2`);
  const totals = await rows<{ a: number; n: number }>(conn, sql`
    with la as (${standing(a)}), lb as (${standing(b)})
    select cast(ja.value as integer) as a, count(*) as n
    from la join lb on lb.user_id = la.user_id ${each("la.option_ids", "ja")}
    where ${answered}
    group by 1`);
  return { pairs, totals };
}

// Snapshots are deterministic (the same on every instance), so each process
// keeps the few it has computed until their hour passes. The key also holds
// the last event before the hour, in case history before it was rewritten.
const snapshots = new Map<string, Awaited<ReturnType<typeof crossCounts>>>();
const lastEventBefore = prepared("results.lastEventBefore", (c) =>
  c
    .select({ id: sql<number | null>`max(${ballotHistory.id})` })
    .from(ballotHistory)
    .where(sql`${ballotHistory.pollId} = ${sql.placeholder("pollId")} and ${ballotHistory.at} < ${sql.placeholder("asOf")}`),
);

/** How the voters of each answer of poll A answered poll B, as of the start of the hour, rounded and suppressed. */
export async function getCrossTab(a: Poll, b: Poll, now = Date.now()): Promise<CrossTab> {
  const asOf = crossTabSnapshotTime(now);
  const last = async (pollId: number) => (await lastEventBefore().get({ pollId, asOf }))?.id ?? 0;
  const key = `${a.id}:${b.id}:${await last(a.id)}:${await last(b.id)}:${asOf}`;
  let counts = snapshots.get(key);
  if (!counts) {
    counts = await crossCounts(a.id, b.id, asOf);
    for (const k of snapshots.keys()) if (!k.endsWith(`:${asOf}`) || snapshots.size > 200) snapshots.delete(k);
    snapshots.set(key, counts);
  }
  const cell = new Map(counts.pairs.map((p) => [`${p.a}:${p.b}`, p.n]));
  const total = new Map(counts.totals.map((t) => [t.a, t.n]));
  return {
    a: { slug: a.slug, question: a.question, options: a.options.map((o) => ({ id: o.id, label: o.label })) },
    b: { slug: b.slug, question: b.question, options: b.options.map((o) => ({ id: o.id, label: o.label })) },
    cells: a.options.map((ao) => b.options.map((bo) => publishedCell(cell.get(`${ao.id}:${bo.id}`) ?? 0))),
    rowTotals: a.options.map((ao) => publishedCell(total.get(ao.id) ?? 0)),
    asOf,
  };
}

/**
 * What a signed-in reader sees on a topic's results page unlike everyone
 * else (issue 26): their own copy of each poll hidden from the public (open
 * if it shows after voting and they answered), and whether the resolved
 * predictions they answered came out their way. Null when the topic does
 * not exist.
 */
export async function resultsMine(slug: string, user: { id: string }, now = Date.now()): Promise<ResultsMine | null> {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  const agg = await aggregatesOf(topic.id);
  const mine: ResultsMine = { own: {}, verdicts: {} };
  const hidden = new Set(agg.polls.filter((p) => !resultsVisibility(p, PUBLIC_VIEWER, now).visible));
  const personal = agg.polls.filter((p) => p.resolvedOptionId !== null || hidden.has(p));
  if (personal.length === 0) return mine;
  const choices = await getMyChoices(user.id, personal.map((p) => p.id));
  for (const p of personal) {
    const picked = choices.get(p.id);
    if (picked && p.resolvedOptionId !== null) mine.verdicts[p.slug] = picked.includes(p.resolvedOptionId) ? "right" : "wrong";
    if (!hidden.has(p)) continue;
    // Hidden from the public: the reader's own copy, open if they answered, else saying why it is closed to them.
    const shown = pollResult(p, { signedIn: true, hasVoted: !!picked }, now, agg.lastVotes[agg.polls.indexOf(p)], topic.slug, agg.runoffs.get(p.id));
    mine.own[p.slug] = { poll: shown, trend: shown.visible ? (agg.trends.get(p.slug) ?? null) : null };
  }
  return mine;
}

export type ResultsMine = {
  own: Record<string, { poll: PollResult; trend: Trend | null }>;
  verdicts: Record<string, "right" | "wrong">;
};

/** Everything the results page shows to everyone; a reader's own part is `resultsMine`. */
export async function getResultsPage(slug: string, cross: { a: string | null; b: string | null }) {
  const res = await getTopicResults(slug);
  if (!res) return null;
  const visible = new Set(res.data.polls.filter((p) => p.visible).map((p) => p.slug));
  const trends = [...res.trends].filter(([slug]) => visible.has(slug));
  // Only polls whose results everyone may see are crossed, whoever asks: a
  // voter's own view of an after-vote poll must not leak through the table.
  const now = Date.now();
  // A ranked ballot is an order, not one answer: it has no cell to fall in.
  const crossable = res.polls.filter((p) => p.kind !== "ranked" && resultsVisibility(p, PUBLIC_VIEWER, now).visible);
  let crossTab: CrossTab | null = null;
  let crossTabError: string | null = null;
  if (cross.a || cross.b) {
    const a = res.polls.find((p) => p.slug === cross.a);
    const b = res.polls.find((p) => p.slug === cross.b);
    if (!a || !b) crossTabError = "Pick two questions of this topic.";
    else if (a.id === b.id) crossTabError = "Pick two different questions.";
    else if (!crossable.includes(a) || !crossable.includes(b)) crossTabError = "Only questions whose results are public to everyone can be compared.";
    else crossTab = await getCrossTab(a, b, now);
  }
  return {
    ...res.data,
    trends: Object.fromEntries(trends),
    crossTab,
    crossTabError,
    cross,
    pollChoices: crossable.map((p) => ({ slug: p.slug, question: p.question })),
  };
}

/**
 * What the present page shows (issue 27): one poll's public results (the
 * shape the live stream sends), and the topic's polls in order for moving
 * between them. Null for an unknown topic or poll.
 */
export async function getPresentPage(topicSlug: string, pollSlug: string, now = Date.now()) {
  const res = await getTopicResults(topicSlug, now);
  const poll = res?.data.polls.find((p) => p.slug === pollSlug);
  if (!res || !poll) return null;
  const raw = res.polls.find((p) => p.slug === pollSlug)!;
  return {
    topic: res.data.topic,
    poll,
    pollId: raw.id,
    resultsHidden: raw.resultsHidden,
    polls: res.data.polls.map((p) => ({ slug: p.slug, question: p.question })),
  };
}

import { sql } from "drizzle-orm";
import { db, prepared } from "../../db/client";
import { ballotHistory, tallyDaily } from "../../db/schema";
import { largestRemainder, meanBrierOneHot, weightedMean, wilsonInterval } from "../lib/stats";
import { PUBLIC_VIEWER, resultsVisibility, type Viewer } from "../lib/visibility";
import { getMyChoices } from "./ballots.server";
import { getPollsOfTopic, isClosed, type Poll } from "./polls.server";
import { getTopicBySlug } from "./topics.server";

/** Version of the JSON shape of /t/:topic/results.json; bump on breaking changes. */
export const RESULTS_VERSION = 1;

/** Cross-tab cells below this many voters are shown as "<5". */
export const MIN_CELL = 5;

export type OptionResult = {
  id: number;
  label: string;
  value: number | null;
  count: number;
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
  kind: "single" | "multiple" | "scale";
  isPrediction: boolean;
  closesAt: number | null;
  closed: boolean;
  voters: number;
  visible: boolean;
  hiddenReason: string | null;
  options: OptionResult[] | null;
  mean: number | null;
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
};

const lastVote = prepared((c) =>
  c
    .select({ at: sql<number | null>`max(${ballotHistory.at})` })
    .from(ballotHistory)
    .where(sql`${ballotHistory.pollId} = ${sql.placeholder("pollId")}`)
    .prepare(),
);

function pollResult(poll: Poll, viewer: Viewer, now: number): PollResult {
  const decision = resultsVisibility(poll, viewer, now);
  const voters = poll.voterCount;
  let options: OptionResult[] | null = null;
  let mean: number | null = null;
  let resolution: PollResult["resolution"] = null;
  if (decision.visible) {
    const counts = poll.options.map((o) => o.count);
    const rounded = poll.kind === "multiple" ? counts.map((c) => (voters ? Math.round((c / voters) * 100) : 0)) : largestRemainder(counts);
    options = poll.options.map((o, i) => {
      const [low, high] = wilsonInterval(o.count, voters);
      return { id: o.id, label: o.label, value: o.value, count: o.count, share: voters ? o.count / voters : 0, percent: rounded[i], low, high };
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
    visible: decision.visible,
    hiddenReason: decision.visible ? null : decision.reason,
    options,
    mean,
    resolutionCriteria: poll.resolutionCriteria,
    resolution,
    lastVoteAt: lastVote().get({ pollId: poll.id })?.at ?? null,
  };
}

export type TopicResults = Awaited<ReturnType<typeof buildResults>>;

async function buildResults(topic: { id: number; slug: string; title: string }, polls: Poll[], viewerFor: (p: Poll) => Viewer, now: number) {
  const results = polls.map((p) => pollResult(p, viewerFor(p), now));
  const lastUpdate = results.reduce<number | null>((m, r) => (r.lastVoteAt !== null && (m === null || r.lastVoteAt > m) ? r.lastVoteAt : m), null);
  return {
    version: RESULTS_VERSION,
    topic: { slug: topic.slug, title: topic.title },
    generatedAt: new Date(now).toISOString(),
    lastUpdate: lastUpdate === null ? null : new Date(lastUpdate).toISOString(),
    polls: results,
  };
}

/**
 * Aggregates of a topic's polls, from the tallies (never the ballots). With
 * a user, visibility is decided for that user; without, for the public.
 */
export async function getTopicResults(slug: string, user: { id: string } | null = null, now = Date.now()) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  const polls = await getPollsOfTopic(topic.id);
  const mine = user ? await getMyChoices(user.id, polls.map((p) => p.id)) : new Map<number, number[]>();
  const data = await buildResults(topic, polls, (p) => (user ? { signedIn: true, hasVoted: mine.has(p.id) } : PUBLIC_VIEWER), now);
  return { topicId: topic.id, polls, data };
}

/** Public aggregates by topic id, for the live stream. */
export async function getPublicResultsById(topicId: number, slug: string, title: string, now = Date.now()) {
  const polls = await getPollsOfTopic(topicId);
  return buildResults({ id: topicId, slug, title }, polls, () => PUBLIC_VIEWER, now);
}

export type Trend = { days: string[]; series: { optionId: number; label: string; shares: number[] }[] };

/** Daily shares per option from the roll-up (the state at each day's end), gaps carried forward. */
export async function getTrends(polls: Poll[]): Promise<Map<string, Trend>> {
  const out = new Map<string, Trend>();
  if (polls.length === 0) return out;
  const rows = db()
    .select({ pollId: tallyDaily.pollId, day: tallyDaily.day, optionId: tallyDaily.optionId, count: tallyDaily.count, voters: tallyDaily.voters })
    .from(tallyDaily)
    .where(sql`${tallyDaily.pollId} in ${polls.map((p) => p.id)}`)
    .orderBy(tallyDaily.pollId, tallyDaily.day)
    .all();
  for (const poll of polls) {
    const mine = rows.filter((r) => r.pollId === poll.id);
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
  /** rows follow a.options, columns b.options; null means fewer than MIN_CELL voters. */
  cells: (number | null)[][];
  rowTotals: (number | null)[];
};

/** How the voters of each answer of poll A answered poll B, with small cells suppressed. */
export async function getCrossTab(a: Poll, b: Poll): Promise<CrossTab> {
  const conn = db();
  const pairs = conn.all<{ a: number; b: number; n: number }>(sql`
    select ca.option_id as a, cb.option_id as b, count(distinct ba.user_id) as n
    from ballots ba
    join ballot_choices ca on ca.ballot_id = ba.id
    join ballots bb on bb.user_id = ba.user_id and bb.poll_id = ${b.id}
    join ballot_choices cb on cb.ballot_id = bb.id
    where ba.poll_id = ${a.id}
    group by 1, 2`);
  const totals = conn.all<{ a: number; n: number }>(sql`
    select ca.option_id as a, count(distinct ba.user_id) as n
    from ballots ba
    join ballot_choices ca on ca.ballot_id = ba.id
    join ballots bb on bb.user_id = ba.user_id and bb.poll_id = ${b.id}
    where ba.poll_id = ${a.id}
    group by 1`);
  const suppress = (n: number) => (n < MIN_CELL ? null : n);
  const cell = new Map(pairs.map((p) => [`${p.a}:${p.b}`, p.n]));
  const total = new Map(totals.map((t) => [t.a, t.n]));
  return {
    a: { slug: a.slug, question: a.question, options: a.options.map((o) => ({ id: o.id, label: o.label })) },
    b: { slug: b.slug, question: b.question, options: b.options.map((o) => ({ id: o.id, label: o.label })) },
    cells: a.options.map((ao) => b.options.map((bo) => suppress(cell.get(`${ao.id}:${bo.id}`) ?? 0))),
    rowTotals: a.options.map((ao) => suppress(total.get(ao.id) ?? 0)),
  };
}

/** Everything the results page shows, for this viewer. */
export async function getResultsPage(slug: string, user: { id: string } | null, cross: { a: string | null; b: string | null }) {
  const res = await getTopicResults(slug, user);
  if (!res) return null;
  const visible = new Set(res.data.polls.filter((p) => p.visible).map((p) => p.slug));
  const trends = await getTrends(res.polls.filter((p) => visible.has(p.slug)));
  let crossTab: CrossTab | null = null;
  let crossTabError: string | null = null;
  if (cross.a || cross.b) {
    const a = res.polls.find((p) => p.slug === cross.a);
    const b = res.polls.find((p) => p.slug === cross.b);
    if (!a || !b) crossTabError = "Pick two questions of this topic.";
    else if (a.id === b.id) crossTabError = "Pick two different questions.";
    else if (!visible.has(a.slug) || !visible.has(b.slug)) crossTabError = "The results of one of these questions are not public yet.";
    else crossTab = await getCrossTab(a, b);
  }
  return {
    ...res.data,
    trends: Object.fromEntries(trends),
    crossTab,
    crossTabError,
    cross,
    pollChoices: res.polls.map((p) => ({ slug: p.slug, question: p.question })),
  };
}

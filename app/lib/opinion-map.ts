import { clusterOpinions, seededRandom } from "./opinion-clusters";
import { wilsonInterval } from "./stats";

// The opinion map's statistics (issue 14, decision 018), pure: from who
// answered what, to the groups, their distinct answers, the consensus and the
// anonymous points. The model reads the ballots and stores the result.
//
// Privacy (decision 018, issue 23): no number about fewer than MIN_GROUP
// people is published. Only "published" people count in any statistic: the
// shown groups, and "others" when they are MIN_GROUP or more together. People
// in groups too small to show are placed nowhere and counted in nothing but
// `people` and `hidden`. A question's figures are published only when every
// published set has MIN_GROUP answers to it, so no difference of two
// published figures is about fewer than MIN_GROUP people either.

export const MAP_VERSION = 1;
/** A person counts once they answered this many of the topic's public polls. */
export const MIN_ANSWERED = 2;
/** No group smaller than this is shown, and no figure is about fewer people. */
export const MIN_GROUP = 10;
/** An answer is shared when every group shown picks it at least this often. */
export const CONSENSUS_SHARE = 0.6;
/** A group's answer stands out when its share differs from everyone else's by this much, intervals apart. */
export const DISTINCT_BY = 0.15;
/** Points are snapped to a grid of this step (the axes run from -1 to 1). */
const GRID = 0.05;
export const MAP_SEED = 20_231_026;

export type MapPoll = { id: number; slug: string; question: string; kind: "single" | "multiple" | "scale" };
export type MapOption = { id: number; pollId: number; label: string; value: number | null };
/** Per person (any stable id), per poll, the options they chose. */
export type Answers = Map<string, Map<number, MapOption[]>>;

/** An answer a group can be compared on: one option, or for scales "agree" / "disagree". */
type Answer = { pollId: number; pollSlug: string; question: string; label: string; matches: (chosen: MapOption[]) => boolean };

export type Share = { share: number; low: number; high: number; n: number };
export type MapGroup = {
  id: string;
  name: string;
  size: number;
  distinct: { pollSlug: string; question: string; answer: string; group: Share; rest: Share; difference: number }[];
};
export type MapSummary = {
  people: number;
  method: { reduction: "pca"; clustering: "k-means"; k: number; silhouette: number | null; explained: [number, number]; seed: number; minGroup: number };
  groups: MapGroup[];
  /** People in groups too small to show, when together they make a group of their own. */
  others: number;
  /** People left out: in groups too small to show, even together. */
  hidden: number;
  consensus: { pollSlug: string; question: string; answer: string; shares: Share[] }[];
  /** Anonymous points on a grid: [x, y, group index or -1 for others, people there]. */
  cells: [number, number, number, number][];
};

/**
 * Each person's answers as a vector: one 0/1 column per option of a choice
 * poll, one centred column per scale ((value - 3) / 2). A poll someone did
 * not answer takes each column's mean among those who did (decision 018).
 */
function vectors(pollList: MapPoll[], options: MapOption[], chosen: Answers) {
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

function answersOf(pollList: MapPoll[], options: MapOption[]): Answer[] {
  const out: Answer[] = [];
  for (const p of pollList) {
    const at = { pollId: p.id, pollSlug: p.slug, question: p.question };
    if (p.kind === "scale") {
      out.push({ ...at, label: "Agree (4 or 5)", matches: (c) => (c[0]?.value ?? 0) >= 4 });
      out.push({ ...at, label: "Disagree (1 or 2)", matches: (c) => (c[0]?.value ?? 6) <= 2 });
    } else {
      for (const o of options.filter((o) => o.pollId === p.id)) out.push({ ...at, label: o.label, matches: (c) => c.some((x) => x.id === o.id) });
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const shareOf = (yes: number, n: number): Share => {
  const [low, high] = wilsonInterval(yes, n);
  return { share: round(n ? yes / n : 0), low: round(low), high: round(high), n };
};

/** Groups people into the sets the map publishes: shown groups by size, "others", and the hidden rest. */
function partition(people: string[], groupOf: number[]) {
  const sizes = new Map<number, number>();
  for (const g of groupOf) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const shown = [...sizes.entries()].filter(([, n]) => n >= MIN_GROUP).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([g]) => g);
  const groupMembers = shown.map((g) => people.filter((_, i) => groupOf[i] === g));
  const rest = people.filter((_, i) => !shown.includes(groupOf[i]));
  const othersShown = rest.length >= MIN_GROUP;
  const labelOf = (g: number) => (shown.includes(g) ? shown.indexOf(g) : othersShown ? -1 : null);
  return { groupMembers, others: othersShown ? rest : [], hidden: othersShown ? 0 : rest.length, labelOf };
}

/**
 * The map's published figures. `now` seeds the jitter of the points, so a
 * point cannot be followed from one snapshot to the next.
 */
export function summariseOpinions(pollList: MapPoll[], options: MapOption[], answers: Answers, now: number): { summary: MapSummary; members: Record<string, [number, number, number]> } {
  const chosen: Answers = new Map([...answers].filter(([, m]) => m.size >= MIN_ANSWERED));
  const { people, matrix } = vectors(pollList, options, chosen);
  const clustering = clusterOpinions(matrix, MAP_SEED);
  const { groupMembers, others, hidden, labelOf } = partition(people, clustering.groups);

  const published = others.length ? [...groupMembers, others] : groupMembers;
  const answered = (members: string[], pollId: number) => members.filter((u) => chosen.get(u)!.has(pollId)).length;
  const safe = new Set(pollList.filter((p) => published.length > 0 && published.every((m) => answered(m, p.id) >= MIN_GROUP)).map((p) => p.id));
  const shownAnswers = answersOf(pollList, options).filter((a) => safe.has(a.pollId));
  const stat = (members: string[], a: Answer) => {
    let n = 0;
    let yes = 0;
    for (const u of members) {
      const c = chosen.get(u)!.get(a.pollId);
      if (!c) continue;
      n++;
      if (a.matches(c)) yes++;
    }
    return shareOf(yes, n);
  };
  const groups: MapGroup[] = groupMembers.map((members, gi) => {
    const inGroup = new Set(members);
    const rest = published.flat().filter((u) => !inGroup.has(u));
    const distinct = shownAnswers
      .map((a) => {
        const mine = stat(members, a);
        const theirs = stat(rest, a);
        return { pollSlug: a.pollSlug, question: a.question, answer: a.label, group: mine, rest: theirs, difference: mine.share - theirs.share };
      })
      .filter((d) => d.group.n >= MIN_GROUP && d.rest.n >= MIN_GROUP && Math.abs(d.difference) >= DISTINCT_BY && (d.group.low > d.rest.high || d.group.high < d.rest.low))
      .sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference))
      .slice(0, 4);
    const letter = String.fromCharCode(65 + gi);
    return { id: letter, name: `Group ${letter}`, size: members.length, distinct };
  });
  const everyone = groupMembers.length ? groupMembers : published;
  const consensus = everyone.length
    ? shownAnswers
        .map((a) => ({ pollSlug: a.pollSlug, question: a.question, answer: a.label, shares: everyone.map((m) => stat(m, a)) }))
        .filter((c) => c.shares.every((s) => s.n >= MIN_GROUP && s.share >= CONSENSUS_SHARE))
    : [];

  // Points: scaled to -1..1, jittered by a seed of this snapshot's time and
  // snapped to a grid, then counted per cell.
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
  return {
    summary: {
      people: people.length,
      method: { reduction: "pca", clustering: "k-means", k: clustering.k, silhouette: clustering.silhouette, explained: clustering.explained, seed: MAP_SEED, minGroup: MIN_GROUP },
      groups,
      others: others.length,
      hidden,
      consensus,
      cells: [...cells.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]),
    },
    members,
  };
}

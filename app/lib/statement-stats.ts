// People's statements (issue 28), the statistics Pol.is uses, pure:
// which statement to show next, which statements represent each opinion
// group, which ones every group agrees on, and where one person sits.
// Formulas and their sources are in docs/opinion-map.md. Votes: 1 agree,
// -1 disagree, 0 pass (Pol.is stores agree as -1; nothing else differs).

import { MIN_GROUP } from "./opinion-map";

/** No figure about fewer people than this is published: the map's own floor. */
export const MIN_PEOPLE = MIN_GROUP;
/** Pol.is's 90% one-sided significance for its z-tests (`z-sig-90?`). */
export const Z90 = 1.2816;

export type Counts = { agree: number; disagree: number; pass: number };
const seen = (c: Counts) => c.agree + c.disagree + c.pass;

/**
 * Which statement to show next (Pol.is `priority-metric`, conversation.clj):
 * importance (1 - p)(E + 1)a, with p and a the pass and agree rates (+1/+2
 * smoothed), boosted for new statements by 1 + 8·2^(-S/5), squared. Pol.is
 * takes E, the statement's extremity, from its PCA; here E is how evenly it
 * splits agree and disagree (0 when all agree, 1 at an even split), which is
 * what a statement that separates people looks like from its counts alone.
 */
export function priorityOf(c: Counts): number {
  const S = seen(c);
  const p = (c.pass + 1) / (S + 2);
  const a = (c.agree + 1) / (S + 2);
  const decided = c.agree + c.disagree;
  const E = decided ? (2 * Math.min(c.agree, c.disagree)) / decided : 0;
  return ((1 - p) * (E + 1) * a * (1 + 8 * 2 ** (-S / 5))) ** 2;
}

/** Pol.is `prop-test`: how far a share of successes is above one half, as a z-score (+1 smoothed). */
export function propTest(successes: number, n: number): number {
  return 2 * Math.sqrt(n + 1) * ((successes + 1) / (n + 1) - 0.5);
}

/** Pol.is `two-prop-test`: whether share 1 is above share 2, as a z-score (+1 smoothed). */
export function twoPropTest(s1: number, s2: number, n1: number, n2: number): number {
  const [a, b, m, n] = [s1 + 1, s2 + 1, n1 + 1, n2 + 1];
  const p = (a + b) / (m + n);
  const d = Math.sqrt(p * (1 - p) * (1 / m + 1 / n));
  return d === 0 ? 0 : (a / m - b / n) / d;
}

export type Vote = { userId: string; statementId: number; vote: -1 | 0 | 1 };

/** Counts per statement among a set of people (all when `who` is null). */
function countsBy(votes: Vote[], who: ((userId: string) => boolean) | null): Map<number, Counts> {
  const out = new Map<number, Counts>();
  for (const v of votes) {
    if (who && !who(v.userId)) continue;
    const c = out.get(v.statementId) ?? { agree: 0, disagree: 0, pass: 0 };
    if (v.vote === 1) c.agree++;
    else if (v.vote === -1) c.disagree++;
    else c.pass++;
    out.set(v.statementId, c);
  }
  return out;
}

export type Representative = {
  statementId: number;
  /** Whether the group stands out by agreeing or by disagreeing. */
  repfulFor: "agree" | "disagree";
  /** In the group: how many agreed (or disagreed), of how many who saw it, and the smoothed share. */
  n: number;
  of: number;
  share: number;
  /** The share against everyone else's (ra or rd), and its two-proportion z-score. */
  ratio: number;
  z: number;
};

/**
 * Pol.is `repness` (repness.clj): for each group and statement, pa = (na+1)/(ns+2)
 * in the group, ra = pa over the same for everyone else, and z-tests of pa
 * against one half (pat) and against the rest (rat); likewise for
 * disagreeing. A statement represents a group when both tests pass at 90%
 * for agree (or both for disagree), and the group had MIN_PEOPLE ratings of
 * it; sorted by ra·rat·pa·pat, agrees first, five at most.
 */
export function representativeStatements(votes: Vote[], groupOf: Map<string, number>, groups: number): Representative[][] {
  const published = (u: string) => groupOf.has(u);
  const all = countsBy(votes, published);
  return Array.from({ length: groups }, (_, g) => {
    const mine = countsBy(votes, (u) => groupOf.get(u) === g);
    const found: (Representative & { metric: number })[] = [];
    for (const [statementId, c] of mine) {
      const ns = seen(c);
      if (ns < MIN_PEOPLE) continue;
      const t = all.get(statementId)!;
      const rest = { agree: t.agree - c.agree, disagree: t.disagree - c.disagree, pass: t.pass - c.pass };
      const rs = seen(rest);
      if (rs < MIN_PEOPLE) continue;
      const side = (na: number, ra: number) => {
        const p = (na + 1) / (ns + 2);
        const ratio = p / ((ra + 1) / (rs + 2));
        return { p, ratio, pt: propTest(na, ns), rt: twoPropTest(na, ra, ns, rs) };
      };
      const agree = side(c.agree, rest.agree);
      const disagree = side(c.disagree, rest.disagree);
      const pick = agree.rt >= disagree.rt ? { s: agree, n: c.agree, repfulFor: "agree" as const } : { s: disagree, n: c.disagree, repfulFor: "disagree" as const };
      if (!(pick.s.rt > Z90 && pick.s.pt > Z90)) continue;
      const r = (x: number) => Math.round(x * 1000) / 1000;
      found.push({ statementId, repfulFor: pick.repfulFor, n: pick.n, of: ns, share: r(pick.s.p), ratio: r(pick.s.ratio), z: r(pick.s.rt), metric: pick.s.ratio * pick.s.rt * pick.s.p * pick.s.pt });
    }
    found.sort((a, b) => (a.repfulFor === b.repfulFor ? b.metric - a.metric : a.repfulFor === "agree" ? -1 : 1) || a.statementId - b.statementId);
    return found.slice(0, 5).map(({ metric: _, ...rest }) => rest);
  });
}

export type Consensus = { statementId: number; score: number };

/**
 * Group-informed consensus (Pol.is): the product over groups of
 * (agrees + 1) / (seen + 2). A statement every group agrees on scores near
 * 1; listed when each group had MIN_PEOPLE ratings of it and the score is
 * at least 0.6 per group on average (0.6^groups), best first, five at most.
 */
export function groupConsensus(votes: Vote[], groupOf: Map<string, number>, groups: number): Consensus[] {
  if (groups === 0) return [];
  const per = Array.from({ length: groups }, (_, g) => countsBy(votes, (u) => groupOf.get(u) === g));
  const ids = [...new Set(votes.map((v) => v.statementId))];
  const out: Consensus[] = [];
  for (const id of ids) {
    const counts = per.map((m) => m.get(id) ?? { agree: 0, disagree: 0, pass: 0 });
    if (counts.some((c) => seen(c) < MIN_PEOPLE)) continue;
    const score = counts.reduce((x, c) => x * ((c.agree + 1) / (seen(c) + 2)), 1);
    if (score >= 0.6 ** groups) out.push({ statementId: id, score: Math.round(score * 1000) / 1000 });
  }
  return out.sort((a, b) => b.score - a.score || a.statementId - b.statementId).slice(0, 5);
}

export type Position = {
  group: number;
  /** Statements where the person rated otherwise than the group leans (agree or disagree, significantly). */
  differ: { statementId: number; yours: -1 | 0 | 1; theirs: "agree" | "disagree"; share: number }[];
};

/**
 * Where one person sits (Pol.is #152): their group on the last map, or, if
 * the map has not placed them yet, the group whose leanings their ratings
 * follow most (the sum of vote × lean, lean = (agree - disagree)/(seen + 2)).
 * Then the statements they rated against their group's significant leaning.
 */
export function whereISit(mine: Map<number, -1 | 0 | 1>, votes: Vote[], groupOf: Map<string, number>, groups: number, placed: number | null): Position | null {
  if (groups === 0) return null;
  const per = Array.from({ length: groups }, (_, g) => countsBy(votes, (u) => groupOf.get(u) === g));
  let group = placed !== null && placed >= 0 && placed < groups ? placed : null;
  if (group === null) {
    let best = -Infinity;
    per.forEach((m, g) => {
      let score = 0;
      for (const [id, vote] of mine) {
        const c = m.get(id);
        if (c && seen(c) >= MIN_PEOPLE) score += (vote * (c.agree - c.disagree)) / (seen(c) + 2);
      }
      if (score > best) [best, group] = [score, g];
    });
    if (best === 0 || group === null) return null;
  }
  const differ: Position["differ"] = [];
  for (const [id, yours] of mine) {
    const c = per[group].get(id);
    if (!c || seen(c) < MIN_PEOPLE) continue;
    const ns = seen(c);
    const leans = propTest(c.agree, ns) > Z90 ? "agree" : propTest(c.disagree, ns) > Z90 ? "disagree" : null;
    if (!leans || (leans === "agree" && yours === 1) || (leans === "disagree" && yours === -1)) continue;
    differ.push({ statementId: id, yours, theirs: leans, share: Math.round((((leans === "agree" ? c.agree : c.disagree) + 1) / (ns + 2)) * 100) / 100 });
  }
  differ.sort((a, b) => b.share - a.share || a.statementId - b.statementId);
  return { group, differ: differ.slice(0, 5) };
}

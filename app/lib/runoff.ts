// Instant runoff, counted as Discourse's poll plugin counts ranked choice
// (plugins/poll/lib/ranked_choice.rb): each round counts each ballot's first
// preference among the options left; an option with over half the counted
// ballots wins; otherwise every option tied for fewest goes out together and
// its ballots pass to their next preference. A ballot with no preference
// left is exhausted and no longer counted. When every ballot is exhausted
// the last options out are tied; after MAX_ROUNDS the leaders are. Pulse
// also says, each round, where the eliminated options' ballots went.

export const MAX_ROUNDS = 50;

export type RunoffRound = {
  round: number;
  /** First preferences of the options still in play, in the poll's option order. */
  counts: { optionId: number; votes: number }[];
  /** Ballots counted this round (those with a preference left). */
  counted: number;
  /** Ballots with no preference left, so far. */
  exhausted: number;
  /** The option with over half of `counted`, if one has it. */
  majority: number | null;
  /** Options out after this round, all tied for fewest. */
  eliminated: number[];
  /** Where the eliminated options' ballots went: to an option, or exhausted (`to` null). */
  transfers: { to: number | null; votes: number }[];
};

export type Runoff = {
  ballots: number;
  rounds: RunoffRound[];
  winner: number | null;
  /** Set when the count ends in a tie: the options tied. */
  tied: number[] | null;
};

/**
 * Runs the count. `ballots`: each a list of option ids, first preference
 * first; `order`: the poll's options in their order (for stable output).
 * Null when nobody has ranked anything.
 */
export function instantRunoff(ballots: readonly (readonly number[])[], order: readonly number[]): Runoff | null {
  const rank = new Map(order.map((id, i) => [id, i]));
  const byOrder = (a: number, b: number) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || a - b;
  let current = ballots.map((b) => [...b]).filter((b) => b.length > 0);
  if (current.length === 0) return null;
  const total = current.length;
  const rounds: RunoffRound[] = [];
  let leaders: number[] = [];
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const tally = new Map<number, number>();
    for (const b of current) for (const id of b) if (!tally.has(id)) tally.set(id, 0);
    for (const b of current) if (b.length) tally.set(b[0], tally.get(b[0])! + 1);
    const counts = [...tally.keys()].sort(byOrder).map((optionId) => ({ optionId, votes: tally.get(optionId)! }));
    const counted = current.filter((b) => b.length > 0).length;
    const max = Math.max(...counts.map((c) => c.votes));
    const min = Math.min(...counts.map((c) => c.votes));
    leaders = counts.filter((c) => c.votes === max).map((c) => c.optionId);
    const base = { round, counts, counted, exhausted: total - counted };
    if (max * 2 > counted) {
      rounds.push({ ...base, majority: leaders[0], eliminated: [], transfers: [] });
      return { ballots: total, rounds, winner: leaders[0], tied: null };
    }
    const out = new Set(counts.filter((c) => c.votes === min).map((c) => c.optionId));
    const moved = new Map<number | null, number>();
    current = current.map((b) => {
      const from = b[0];
      const left = b.filter((id) => !out.has(id));
      if (from !== undefined && out.has(from)) moved.set(left[0] ?? null, (moved.get(left[0] ?? null) ?? 0) + 1);
      return left;
    });
    const transfers = [...moved].map(([to, votes]) => ({ to, votes })).sort((a, b) => (a.to === null ? 1 : b.to === null ? -1 : byOrder(a.to, b.to)));
    const eliminated = [...out].sort(byOrder);
    rounds.push({ ...base, majority: null, eliminated, transfers });
    if (current.every((b) => b.length === 0)) return { ballots: total, rounds, winner: null, tied: eliminated };
  }
  return { ballots: total, rounds, winner: null, tied: leaders };
}

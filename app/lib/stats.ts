export { wilsonInterval } from "./ranking";

/**
 * Integer percentages that sum to exactly `total` (largest-remainder method):
 * floor every share, then hand the leftover points to the largest remainders.
 * Ties go to the earlier item, so the result is deterministic.
 */
export function largestRemainder(counts: number[], total = 100): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0) return counts.map(() => 0);
  // Whole numbers first (c * total / sum in integers), so equal counts have exactly equal remainders.
  const floors = counts.map((c) => Math.floor((c * total) / sum));
  const rest = counts.map((c) => (c * total) % sum);
  let left = total - floors.reduce((a, b) => a + b, 0);
  // Largest remainder first; equal counts (which have equal remainders) sit together.
  const order = rest.map((r, i) => ({ i, r, c: counts[i] })).sort((a, b) => b.r - a.r || b.c - a.c || a.i - b.i);
  // Equal counts are served together or not at all: they always show equal
  // percentages, even if the total then falls a point short. Unequal counts
  // whose remainders happen to tie are served one by one (found by the
  // property test: 632, 7, 920 and 181 came to 99).
  for (let k = 0; k < order.length && left > 0; ) {
    let end = k;
    while (end < order.length && order[end].c === order[k].c) end++;
    if (order[k].r === 0 || end - k > left) break;
    for (let j = k; j < end; j++) floors[order[j].i]++;
    left -= end - k;
    k = end;
  }
  return floors;
}

/**
 * The percentages a poll shows, one rule for every page (issue 23): shares
 * of one answer each (single, scale, a ranked poll's first preferences) by largest remainder, so they add up to
 * 100; shares of a multiple-choice poll, where one voter picks several, each
 * of the voters and rounded on its own.
 */
export function pollPercents(kind: "single" | "multiple" | "scale" | "ranked", counts: number[], voters: number): number[] {
  if (kind === "multiple") return counts.map((c) => (voters ? Math.round((c / voters) * 100) : 0));
  return largestRemainder(counts);
}

/** Mean of a distribution given as counts per value. */
export function weightedMean(values: number[], counts: number[]): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  return values.reduce((acc, v, i) => acc + v * counts[i], 0) / n;
}

/**
 * Mean Brier score of one-hot ballots on a resolved question with `k`
 * options: a right ballot scores 0, a wrong one 2 (lower is better).
 */
export function meanBrierOneHot(rightCount: number, voters: number): number | null {
  if (voters === 0) return null;
  return (2 * (voters - rightCount)) / voters;
}

export { wilsonInterval } from "./ranking";

/**
 * Integer percentages that sum to exactly `total` (largest-remainder method):
 * floor every share, then hand the leftover points to the largest remainders.
 * Ties go to the earlier item, so the result is deterministic.
 */
export function largestRemainder(counts: number[], total = 100): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0) return counts.map(() => 0);
  const exact = counts.map((c) => (c / sum) * total);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  return floors;
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

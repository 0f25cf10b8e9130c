/**
 * Lower bound of the 95% Wilson score interval for the share of upvotes:
 * a comment with 10 up and 1 down ranks above one with 1 up and 0 down.
 */
export function wilsonLowerBound(ups: number, downs: number, z = 1.959964): number {
  const n = ups + downs;
  if (n === 0) return 0;
  const p = ups / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}

/** Many votes, evenly split, is controversial (the measure Reddit made popular). */
export function controversy(ups: number, downs: number): number {
  if (ups <= 0 || downs <= 0) return 0;
  const magnitude = ups + downs;
  const balance = ups > downs ? downs / ups : ups / downs;
  return magnitude ** balance;
}

/** A 95% Wilson score interval for a proportion k/n, as [low, high]. */
export function wilsonInterval(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 0];
  const p = k / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

import { kmeans } from "ml-kmeans";
import { PCA } from "ml-pca";

// The mathematics of the opinion map (issue 14): people as answer vectors,
// reduced to two dimensions with PCA (ml-pca) and grouped with k-means
// (ml-kmeans), k from 2 to 5 chosen by silhouette. Pure and seeded: the same
// answers give the same groups. Decision 018 explains the choices.

export const MIN_K = 2;
export const MAX_K = 5;
/** Below this best silhouette the community is one group: the "groups" would be cuts through one cloud. */
export const MIN_SILHOUETTE = 0.5;
/**
 * Below this share of the spread on the two axes, the answers vary every
 * which way, as noise does, and the community is one group. Answers are
 * discrete, so any cloud breaks into tidy clumps of people who answered
 * alike on one question; only shared axes make groups.
 */
export const MIN_EXPLAINED = 0.5;
/** The silhouette is measured on at most this many points (seeded sample): it costs n². */
const SILHOUETTE_SAMPLE = 800;

export type Clustering = {
  /** Each person's place on the two axes, in input order. */
  points: [number, number][];
  /** Each person's group, 0..k-1, in input order. */
  groups: number[];
  k: number;
  silhouette: number | null;
  /** How much of the spread each axis holds (PCA's explained variance). */
  explained: [number, number];
};

/** A small seeded generator (mulberry32): sampling and jitter are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Mean silhouette of a grouping (on a seeded sample of the points). */
export function silhouette(points: [number, number][], groups: number[], k: number, seed: number): number {
  let idx = points.map((_, i) => i);
  if (idx.length > SILHOUETTE_SAMPLE) {
    const rand = seededRandom(seed);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx = idx.slice(0, SILHOUETTE_SAMPLE);
  }
  let total = 0;
  for (const i of idx) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (const j of idx) {
      if (i === j) continue;
      sums[groups[j]] += dist(points[i], points[j]);
      counts[groups[j]]++;
    }
    const own = groups[i];
    if (counts[own] === 0) continue;
    const a = sums[own] / counts[own];
    let b = Infinity;
    for (let g = 0; g < k; g++) if (g !== own && counts[g] > 0) b = Math.min(b, sums[g] / counts[g]);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b, 1e-12);
  }
  return total / idx.length;
}

/**
 * Groups people by their answer vectors (rows of `matrix`, one column per
 * answer). Fewer than 3 people, or answers with no spread, make one group.
 */
export function clusterOpinions(matrix: number[][], seed: number): Clustering {
  const n = matrix.length;
  const one = (points: [number, number][], explained: [number, number] = [0, 0]): Clustering => ({ points, groups: points.map(() => 0), k: 1, silhouette: null, explained });
  if (n < 3 || matrix[0].length === 0) return one(matrix.map(() => [0, 0]));
  const spread = matrix[0].some((_, c) => matrix.some((row) => row[c] !== matrix[0][c]));
  if (!spread) return one(matrix.map(() => [0, 0]));
  const pca = new PCA(matrix, { center: true, scale: false });
  const dims = Math.min(2, matrix[0].length);
  const projected = pca.predict(matrix, { nComponents: dims }).to2DArray();
  const points = projected.map((p) => [p[0] ?? 0, p[1] ?? 0] as [number, number]);
  const ev = pca.getExplainedVariance();
  const explained: [number, number] = [ev[0] ?? 0, ev[1] ?? 0];
  if (explained[0] + explained[1] < MIN_EXPLAINED) return one(points, explained);
  let best: Clustering | null = null;
  for (let k = MIN_K; k <= Math.min(MAX_K, n - 1); k++) {
    const res = kmeans(points, k, { seed, initialization: "kmeans++", maxIterations: 100 });
    const s = silhouette(points, res.clusters, k, seed);
    if (!best || (best.silhouette ?? -1) < s) best = { points, groups: res.clusters, k, silhouette: s, explained };
  }
  if (!best || (best.silhouette ?? 0) < MIN_SILHOUETTE) return { ...one(points, explained), silhouette: best?.silhouette ?? null };
  return best;
}

/** The adjusted Rand index of two labellings (1: the same grouping; about 0: chance). */
export function adjustedRandIndex(a: number[], b: number[]): number {
  const choose2 = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    table.set(`${a[i]}:${b[i]}`, (table.get(`${a[i]}:${b[i]}`) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  const index = [...table.values()].reduce((s, x) => s + choose2(x), 0);
  const sumRows = [...rows.values()].reduce((s, x) => s + choose2(x), 0);
  const sumCols = [...cols.values()].reduce((s, x) => s + choose2(x), 0);
  const expected = (sumRows * sumCols) / choose2(a.length);
  const max = (sumRows + sumCols) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

import { describe, expect, it } from "vitest";
import { adjustedRandIndex, clusterOpinions, seededRandom } from "../app/lib/opinion-clusters";

/** 3 groups of 50 with distinct answer patterns over 6 polls, each answer flipped with probability `noise`. */
function planted(noise: number, seed: number) {
  const rand = seededRandom(seed);
  // Per group: the favoured option (of 3) for each of 4 single-choice polls, and a scale leaning.
  const patterns = [
    { single: [0, 0, 1, 2], scale: [1, 1] },
    { single: [1, 2, 0, 0], scale: [-1, 0] },
    { single: [2, 1, 2, 1], scale: [0, -1] },
  ];
  const matrix: number[][] = [];
  const truth: number[] = [];
  for (let g = 0; g < 3; g++) {
    for (let i = 0; i < 50; i++) {
      const row: number[] = [];
      for (const fav of patterns[g].single) {
        const pick = rand() < noise ? Math.floor(rand() * 3) : fav;
        row.push(...[0, 1, 2].map((o) => (o === pick ? 1 : 0)));
      }
      for (const lean of patterns[g].scale) row.push(Math.max(-1, Math.min(1, lean + (rand() - 0.5) * noise * 2)));
      matrix.push(row);
      truth.push(g);
    }
  }
  return { matrix, truth };
}

describe("opinion clusters", () => {
  it("recover three planted groups of 50 with an adjusted Rand index of at least 0.9", () => {
    for (const seed of [1, 2, 3]) {
      const { matrix, truth } = planted(0.15, seed);
      const c = clusterOpinions(matrix, 42);
      expect(c.k).toBe(3);
      expect(adjustedRandIndex(truth, c.groups), `seed ${seed}`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("make one group of one cohesive community", () => {
    const rand = seededRandom(7);
    const matrix = Array.from({ length: 150 }, () => {
      const row: number[] = [];
      for (let p = 0; p < 4; p++) {
        const pick = rand() < 0.7 ? 0 : Math.floor(rand() * 3);
        row.push(...[0, 1, 2].map((o) => (o === pick ? 1 : 0)));
      }
      row.push((rand() - 0.5) * 0.4, (rand() - 0.5) * 0.4);
      return row;
    });
    const c = clusterOpinions(matrix, 42);
    expect(c.k).toBe(1);
    expect(new Set(c.groups)).toEqual(new Set([0]));
  });

  it("are reproducible: the same answers give the same groups and places", () => {
    const { matrix } = planted(0.2, 9);
    expect(clusterOpinions(matrix, 42)).toEqual(clusterOpinions(matrix.map((r) => [...r]), 42));
  });

  it("say ARI 1 for the same grouping under other names, and near 0 for chance", () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9])).toBe(1);
    const rand = seededRandom(3);
    const a = Array.from({ length: 2000 }, () => Math.floor(rand() * 3));
    const b = Array.from({ length: 2000 }, () => Math.floor(rand() * 3));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.02);
  });

  it("handle too few people or no spread as one group", () => {
    expect(clusterOpinions([[1, 0]], 1).k).toBe(1);
    expect(clusterOpinions([[1, 0], [1, 0], [1, 0], [1, 0]], 1).k).toBe(1);
  });
});

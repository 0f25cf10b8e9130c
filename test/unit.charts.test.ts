import { describe, expect, it } from "vitest";
import { spreadLabels } from "../app/components/charts";

describe("trend end labels", () => {
  it("never overlap and never leave the plot, whatever the last values", () => {
    const cases = [
      [75, 75, 75, 75, 75, 75, 75, 75],
      [0, 0, 0, 1, 150, 150, 150],
      [10, 12, 14, 100, 101],
      [150, 149, 148],
      [40],
      [],
    ];
    for (const ys of cases) {
      const placed = spreadLabels(ys, 15, 6, 148);
      expect(placed).toHaveLength(ys.length);
      const sorted = [...placed].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(15 - 1e-9);
      for (const y of placed) expect(y).toBeLessThanOrEqual(148);
      // Eight labels fit: 8 x 15 = 120 px of a 142 px range.
      for (const y of placed) expect(y).toBeGreaterThanOrEqual(6);
    }
  });

  it("keeps a label at its line when nothing is in the way, and keeps the lines' order", () => {
    expect(spreadLabels([20, 80, 140], 15, 6, 148)).toEqual([20, 80, 140]);
    const placed = spreadLabels([50, 49, 51], 15, 6, 148);
    expect(placed[1]).toBeLessThan(placed[0]);
    expect(placed[0]).toBeLessThan(placed[2]);
  });
});

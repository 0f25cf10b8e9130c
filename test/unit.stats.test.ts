import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { controversy, wilsonLowerBound } from "../app/lib/ranking";
import { largestRemainder, meanBrierOneHot, pollPercents, weightedMean, wilsonInterval } from "../app/lib/stats";

describe("largestRemainder", () => {
  it("stays within one point of the exact share, gives equal counts equal percentages, and sums to 100 unless a tie keeps it short", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.nat(1000), fc.constant(7)), { minLength: 1, maxLength: 10 }), (counts) => {
        const pct = largestRemainder(counts);
        const sum = counts.reduce((a, b) => a + b, 0);
        if (sum === 0) {
          expect(pct.every((p) => p === 0)).toBe(true);
          return;
        }
        counts.forEach((c, i) => expect(Math.abs(pct[i] - (c / sum) * 100)).toBeLessThan(1));
        counts.forEach((c, i) => counts.forEach((d, j) => c === d && expect(pct[i]).toBe(pct[j])));
        const total = pct.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(100);
        // Short only by points a tie could not share out.
        if (total < 100) expect(new Set(counts).size).toBeLessThan(counts.length);
      }),
    );
  });
  it("splits unequal shares to 100, and never ranks equal counts apart (issue 23)", () => {
    expect(largestRemainder([2, 1])).toEqual([67, 33]);
    expect(largestRemainder([3, 2, 2])).toEqual([43, 28, 28]);
    expect(largestRemainder([1, 1, 1])).toEqual([33, 33, 33]);
    // Unequal counts whose remainders tie (7 and 181 of 1,740) are served one by one: the total reaches 100.
    expect(largestRemainder([632, 7, 920, 181]).reduce((a, b) => a + b, 0)).toBe(100);
    // The newcomer's chart: 8 and 8 of 64 were 13% and 12%.
    const p = largestRemainder([8, 8, 24, 24]);
    expect(p[0]).toBe(p[1]);
    expect(p[2]).toBe(p[3]);
  });
  it("one rule per poll kind: multiple-choice shares are each of the voters", () => {
    expect(pollPercents("multiple", [3, 3, 1], 4)).toEqual([75, 75, 25]);
    expect(pollPercents("single", [3, 66], 69)).toEqual(largestRemainder([3, 66]));
  });
});

describe("Wilson", () => {
  it("matches known values", () => {
    const [lo, hi] = wilsonInterval(50, 100);
    expect(lo).toBeCloseTo(0.4038, 3);
    expect(hi).toBeCloseTo(0.5962, 3);
    expect(wilsonInterval(0, 0)).toEqual([0, 0]);
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775, 3);
  });
  it("ranks 10 up / 1 down above 1 up / 0 down", () => {
    expect(wilsonLowerBound(10, 1)).toBeGreaterThan(wilsonLowerBound(1, 0));
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });
  it("controversy favours many, balanced votes", () => {
    expect(controversy(6, 6)).toBeGreaterThan(controversy(10, 1));
    expect(controversy(5, 0)).toBe(0);
  });
});

describe("means and scores", () => {
  it("weightedMean", () => {
    expect(weightedMean([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])).toBeNull();
    expect(weightedMean([1, 2, 3, 4, 5], [1, 0, 0, 0, 1])).toBe(3);
  });
  it("Brier of one-hot ballots", () => {
    expect(meanBrierOneHot(3, 4)).toBe(0.5);
    expect(meanBrierOneHot(0, 0)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { groupConsensus, priorityOf, propTest, representativeStatements, twoPropTest, whereISit, type Vote } from "~/lib/statement-stats";

// Issue 28: the Pol.is statistics behind people's statements, on numbers
// worked by hand from the formulas in docs/opinion-map.md.

const c = (agree: number, disagree: number, pass: number) => ({ agree, disagree, pass });

describe("which statement comes next (Pol.is priority)", () => {
  it("favours statements few have seen, and those that split opinion, over settled and passed ones", () => {
    expect(priorityOf(c(0, 0, 0))).toBeGreaterThan(priorityOf(c(20, 20, 0)));
    expect(priorityOf(c(10, 10, 0))).toBeGreaterThan(priorityOf(c(20, 0, 0)));
    expect(priorityOf(c(10, 10, 0))).toBeGreaterThan(priorityOf(c(5, 5, 10)));
    // Unseen: p = a = 1/2, E = 0, boost 9: ((1/2)(1)(1/2)(9))² = 5.0625.
    expect(priorityOf(c(0, 0, 0))).toBeCloseTo(5.0625, 6);
  });
});

describe("Pol.is's z-tests", () => {
  it("match the formulas", () => {
    // 2·√(10+1)·((8+1)/(10+1) − ½) = 2·√11·(9/11 − 1/2)
    expect(propTest(8, 10)).toBeCloseTo(2 * Math.sqrt(11) * (9 / 11 - 0.5), 9);
    expect(propTest(5, 9)).toBeCloseTo(2 * Math.sqrt(10) * (6 / 10 - 0.5), 9);
    expect(twoPropTest(5, 5, 10, 10)).toBe(0);
    expect(twoPropTest(10, 0, 10, 10)).toBeGreaterThan(1.2816);
  });
});

/** Two groups of ten: group 0 agrees with statement 1 and disagrees with 2; group 1 the reverse; both agree with 3. */
function planted(): { votes: Vote[]; groupOf: Map<string, number> } {
  const votes: Vote[] = [];
  const groupOf = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    const g = i < 10 ? 0 : 1;
    const u = `u${i}`;
    groupOf.set(u, g);
    votes.push({ userId: u, statementId: 1, vote: g ? -1 : 1 }, { userId: u, statementId: 2, vote: g ? 1 : -1 }, { userId: u, statementId: 3, vote: 1 });
  }
  return { votes, groupOf };
}

describe("representative statements and consensus", () => {
  it("find what sets each group apart, agrees first, and what every group agrees on", () => {
    const { votes, groupOf } = planted();
    const reps = representativeStatements(votes, groupOf, 2);
    expect(reps[0].map((r) => [r.statementId, r.repfulFor])).toEqual([[1, "agree"], [2, "disagree"]]);
    expect(reps[1].map((r) => [r.statementId, r.repfulFor])).toEqual([[2, "agree"], [1, "disagree"]]);
    // pa = 11/12; ra = (11/12) / (1/12) = 11.
    expect(reps[0][0]).toMatchObject({ n: 10, of: 10, share: 0.917, ratio: 11 });
    // Agreed by all: (11/12)² ≈ 0.84 ≥ 0.36; the split ones (11/12)(1/12) are not.
    expect(groupConsensus(votes, groupOf, 2)).toEqual([{ statementId: 3, score: 0.84 }]);
  });

  it("publish nothing about fewer than ten ratings in a group", () => {
    const { votes, groupOf } = planted();
    const fewer = votes.filter((v) => !(v.userId === "u0" && v.statementId === 1));
    expect(representativeStatements(fewer, groupOf, 2)[0].some((r) => r.statementId === 1)).toBe(false);
    expect(groupConsensus(votes.filter((v) => !(v.userId === "u0" && v.statementId === 3)), groupOf, 2)).toEqual([]);
  });

  it("place a reader with the group whose leanings they follow, and name where they part from it", () => {
    const { votes, groupOf } = planted();
    const mine = new Map<number, -1 | 0 | 1>([[1, 1], [2, 0], [3, 1]]);
    // Group 0 scores 10/12 + 0 + 10/12, group 1 −10/12 + 0 + 10/12: group 0; they passed where it disagrees.
    expect(whereISit(mine, votes, groupOf, 2, null)).toEqual({ group: 0, differ: [{ statementId: 2, yours: 0, theirs: "disagree", share: 0.92 }] });
    // The map's own placement wins when there is one.
    expect(whereISit(mine, votes, groupOf, 2, 1)?.group).toBe(1);
    expect(whereISit(new Map(), votes, groupOf, 2, null)).toBeNull();
    expect(whereISit(mine, votes, groupOf, 0, null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { instantRunoff, MAX_ROUNDS } from "~/lib/runoff";
import { runoffProblems } from "../scripts/results-verify";

// Options 1..4 stand for A..D. Each case was counted by hand first.
const A = 1, B = 2, C = 3, D = 4;
const order = [A, B, C, D];
const times = (n: number, ballot: number[]) => Array.from({ length: n }, () => ballot);

describe("instant runoff (as Discourse counts it)", () => {
  it("a first-round majority wins at once", () => {
    const r = instantRunoff([...times(3, [A, B]), ...times(2, [B, A])], order)!;
    expect(r.winner).toBe(A);
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0]).toMatchObject({ counted: 5, majority: A, eliminated: [], counts: [{ optionId: A, votes: 3 }, { optionId: B, votes: 2 }] });
  });

  it("eliminates the fewest, transfers their ballots, and names where they went", () => {
    // Round 1: A 4, B 3, C 2 (of 9): no majority; C out, its 2 ballots go one to B, one exhausted.
    // Round 2: A 4, B 4 of 8 counted: no majority; both tied for fewest go out together -> every ballot exhausted -> tie A, B.
    const ballots = [...times(4, [A]), ...times(3, [B]), [C, B], [C]];
    const r = instantRunoff(ballots, order)!;
    expect(r.rounds.map((x) => x.counts.map((c) => c.votes))).toEqual([[4, 3, 2], [4, 4]]);
    expect(r.rounds[0].eliminated).toEqual([C]);
    expect(r.rounds[0].transfers).toEqual([{ to: B, votes: 1 }, { to: null, votes: 1 }]);
    expect(r.rounds[1]).toMatchObject({ counted: 8, exhausted: 1, eliminated: [A, B] });
    expect(r.winner).toBeNull();
    expect(r.tied).toEqual([A, B]);
  });

  it("a transfer can change the winner from the first-round leader", () => {
    // Round 1: A 5, B 4, C 3, D 1 (13). D out -> C. Round 2: A 5, B 4, C 4: B and C tie for fewest, both out;
    // B's 4 go to C? No: C is out too, so B's ballots [B, C] pass to nothing left -> exhausted, and C's [C, B] likewise.
    // A then has 5 of 5 counted: A wins in round 3.
    const ballots = [...times(5, [A]), ...times(4, [B, C]), ...times(3, [C, B]), [D, C]];
    const r = instantRunoff(ballots, order)!;
    expect(r.rounds.map((x) => x.eliminated)).toEqual([[D], [B, C], []]);
    expect(r.rounds[0].transfers).toEqual([{ to: C, votes: 1 }]);
    expect(r.rounds[1].transfers).toEqual([{ to: null, votes: 8 }]);
    expect(r.rounds[2]).toMatchObject({ counted: 5, exhausted: 8, majority: A });
    expect(r.winner).toBe(A);
  });

  it("the runner-up on first preferences can win on transfers", () => {
    // Round 1: A 6, B 5, C 4 (15): C out, all 4 to B. Round 2: B 9 of 15 > 7.5: B wins.
    const r = instantRunoff([...times(6, [A, C]), ...times(5, [B, C]), ...times(4, [C, B])], order)!;
    expect(r.rounds[0].transfers).toEqual([{ to: B, votes: 4 }]);
    expect(r.rounds[1].counts).toEqual([{ optionId: A, votes: 6 }, { optionId: B, votes: 9 }]);
    expect(r.winner).toBe(B);
  });

  it("exactly half is not a majority", () => {
    const r = instantRunoff([...times(2, [A, B]), ...times(2, [B, A])], order)!;
    expect(r.rounds[0].majority).toBeNull();
    expect(r.tied).toEqual([A, B]);
  });

  it("an option ranked lower but never first goes out with zero in round 1", () => {
    const r = instantRunoff([...times(2, [A, D]), [B, D], [C]], order)!;
    expect(r.rounds[0].counts).toEqual([{ optionId: A, votes: 2 }, { optionId: B, votes: 1 }, { optionId: C, votes: 1 }, { optionId: D, votes: 0 }]);
    expect(r.rounds[0].eliminated).toEqual([D]);
    expect(r.rounds[0].transfers).toEqual([]);
  });

  it("nobody ranked anything: no count", () => {
    expect(instantRunoff([], order)).toBeNull();
    expect(instantRunoff([[], []], order)).toBeNull();
  });

  it("stops after the round limit with the leaders tied", () => {
    // Option i is the only preference of i ballots (1..60): one option goes out per round, and after
    // 50 rounds options 51..60 (555 ballots, 60 at most) still have no majority.
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    const r = instantRunoff(ids.flatMap((i) => times(i, [i])), ids)!;
    expect(r.rounds).toHaveLength(MAX_ROUNDS);
    expect(r.rounds.map((x) => x.eliminated)).toEqual(ids.slice(0, 50).map((i) => [i]));
    expect(r.rounds[49]).toMatchObject({ counted: 1830 - 1225, exhausted: 1225 });
    expect(r.winner).toBeNull();
    expect(r.tied).toEqual([60]);
  });
});

describe("results:verify's re-count of a runoff", () => {
  const options = [A, B, C, D].map((id) => ({ id, label: String(id), count: 0, guests: 0 }));
  const ballots = [...times(6, [A, C]), ...times(5, [B, C]), ...times(4, [C, B])];
  const counted = () => instantRunoff(ballots, order)!;

  it("agrees with the count it re-runs, and names the first round that differs", () => {
    expect(runoffProblems({ options, runoff: counted() }, ballots)).toEqual([]);
    const moved = counted();
    moved.rounds[1].counts[1].votes += 1;
    expect(runoffProblems({ options, runoff: moved }, ballots)).toEqual(["runoff: round 2 differs from the tree's count"]);
    const transfer = counted();
    transfer.rounds[0].transfers = [{ to: A, votes: 4 }];
    expect(runoffProblems({ options, runoff: transfer }, ballots)).toEqual(["runoff: round 1 differs from the tree's count"]);
    expect(runoffProblems({ options, runoff: { ...counted(), winner: A } }, ballots)).toEqual(["runoff: the tree gives option 2 winning, results.json another outcome"]);
    expect(runoffProblems({ options, runoff: { ...counted(), rounds: counted().rounds.slice(0, 1) } }, ballots)).toEqual(["runoff: round 2 differs from the tree's count"]);
    expect(runoffProblems({ options, runoff: null }, ballots)).toEqual(["runoff: the tree gives a count, results.json has none"]);
    expect(runoffProblems({ options, runoff: null }, [])).toEqual([]);
  });
});

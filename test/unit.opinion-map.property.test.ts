import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_GROUP, summariseOpinions, type Answers, type MapOption, type MapPoll } from "../app/lib/opinion-map";

// Issue 23, finding 1: the map publishes no number about fewer than
// MIN_GROUP people, in any field, whatever the population.

const polls: MapPoll[] = [
  { id: 1, slug: "opinion", question: "Opinion?", kind: "single" },
  { id: 2, slug: "implications", question: "Implications?", kind: "multiple" },
  { id: 3, slug: "misleading", question: "Misleading?", kind: "scale" },
  { id: 4, slug: "clause", question: "Clause?", kind: "scale" },
];
const options: MapOption[] = [
  ...[0, 1, 2, 3].map((i) => ({ id: 10 + i, pollId: 1, label: `opinion ${i}`, value: null })),
  ...[0, 1, 2, 3, 4].map((i) => ({ id: 20 + i, pollId: 2, label: `implication ${i}`, value: null })),
  ...[1, 2, 3, 4, 5].map((v) => ({ id: 30 + v, pollId: 3, label: `${v}`, value: v })),
  ...[1, 2, 3, 4, 5].map((v) => ({ id: 40 + v, pollId: 4, label: `${v}`, value: v })),
];
const byPoll = (pollId: number) => options.filter((o) => o.pollId === pollId);

type Person = { camp: number; skip: number[]; stray: number[]; noisy: boolean };

/**
 * A small community: three camps of random sizes around the floor (so groups
 * of 9, 10 and 11 all happen), some people who skip questions, and a few who
 * answer at random.
 */
const community = fc
  .tuple(
    fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 12 })),
    fc.array(fc.record({ stray: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }) }), { maxLength: 6 }),
    fc.array(fc.subarray([1, 2, 3, 4], { maxLength: 2 }), { minLength: 60, maxLength: 60 }),
  )
  .map(([sizes, noise, skips]) => {
    const people: Person[] = [];
    sizes.forEach((n, camp) => {
      for (let i = 0; i < n; i++) people.push({ camp, skip: skips[people.length % 60].length && people.length % 4 === 0 ? skips[people.length % 60] : [], stray: [0, 0, 0, 0], noisy: false });
    });
    for (const x of noise) people.push({ camp: 0, skip: [], stray: x.stray, noisy: true });
    return people;
  });

function answersOf(people: Person[]): Answers {
  const out: Answers = new Map();
  people.forEach((p, i) => {
    const mine = new Map<number, MapOption[]>();
    for (const poll of polls) {
      if (p.skip.includes(poll.id)) continue;
      const opts = byPoll(poll.id);
      const pick = p.noisy ? p.stray[poll.id - 1] % opts.length : (p.camp * 2 + poll.id) % opts.length;
      mine.set(poll.id, poll.kind === "multiple" ? [opts[pick], opts[(pick + 1) % opts.length]] : [opts[pick]]);
    }
    out.set(`u${String(i).padStart(3, "0")}`, mine);
  });
  return out;
}

/** Every number the summary publishes about a set of people, with where it is. */
function headcounts(value: unknown, at = "$"): { at: string; n: number }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => headcounts(v, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (k === "n" || k === "size") && typeof v === "number" ? [{ at: `${at}.${k}`, n: v }] : headcounts(v, `${at}.${k}`));
  }
  return [];
}

describe("the opinion map's privacy floor", () => {
  it("publishes no share, group or 'others' about fewer than MIN_GROUP people, for any small population", () => {
    fc.assert(
      fc.property(community, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (people, now) => {
        const { summary } = summariseOpinions(polls, options, answersOf(people), now);
        for (const h of headcounts(summary)) expect(h.n, h.at).toBeGreaterThanOrEqual(MIN_GROUP);
        expect(summary.others === 0 || summary.others >= MIN_GROUP).toBe(true);
        // Points are placed only for people in a published set.
        const placed = summary.cells.reduce((s, c) => s + c[3], 0);
        expect(placed).toBe(summary.groups.reduce((s, g) => s + g.size, 0) + summary.others);
      }),
      { numRuns: 150, seed: 23 },
    );
  });

  it("the reviewer's case: twenty alike and one apart publish nothing about the one", () => {
    const alike: Person[] = Array.from({ length: 20 }, () => ({ camp: 0, skip: [], stray: [0, 0, 0, 0], noisy: false }));
    const apart: Person = { camp: 2, skip: [], stray: [3, 4, 4, 0], noisy: true };
    const { summary } = summariseOpinions(polls, options, answersOf([...alike, apart]), 1);
    expect(summary.people).toBe(21);
    for (const h of headcounts(summary)) expect(h.n, h.at).toBeGreaterThanOrEqual(MIN_GROUP);
    for (const g of summary.groups) for (const d of g.distinct) expect(d.rest.n).toBeGreaterThanOrEqual(MIN_GROUP);
  });
});

import { describe, expect, it } from "vitest";
import { stableShuffle } from "../app/lib/shuffle";
import { resultsVisibility, type Visibility } from "../app/lib/visibility";

const now = Date.UTC(2026, 0, 1);
const viewers = {
  anonymous: { signedIn: false, hasVoted: false },
  nonVoter: { signedIn: true, hasVoted: false },
  voter: { signedIn: true, hasVoted: true },
};

describe("resultsVisibility: setting x viewer", () => {
  const cases: [Visibility, number | null, keyof typeof viewers, boolean][] = [
    ["always", null, "anonymous", true],
    ["always", null, "nonVoter", true],
    ["always", null, "voter", true],
    ["after_vote", null, "anonymous", false],
    ["after_vote", null, "nonVoter", false],
    ["after_vote", null, "voter", true],
    ["after_close", now + 1000, "anonymous", false],
    ["after_close", now + 1000, "nonVoter", false],
    ["after_close", now + 1000, "voter", false],
    ["after_close", null, "voter", false],
    ["after_close", now - 1000, "anonymous", true],
    ["after_close", now - 1000, "nonVoter", true],
    ["after_close", now - 1000, "voter", true],
  ];
  it.each(cases)("%s (closes %s) for %s -> %s", (visibility, closesAt, viewer, visible) => {
    const d = resultsVisibility({ visibility, closesAt, resultsHidden: false }, viewers[viewer], now);
    expect(d.visible).toBe(visible);
    if (!d.visible) expect(d.reason.length).toBeGreaterThan(10);
    // Held back by a moderator (present mode): hidden from everyone, whatever the rule would say.
    expect(resultsVisibility({ visibility, closesAt, resultsHidden: true }, viewers[viewer], now).visible).toBe(false);
  });
  it("says when hidden results will show", () => {
    const d = resultsVisibility({ visibility: "after_close", closesAt: Date.UTC(2027, 11, 31, 23, 59), resultsHidden: false }, viewers.voter, now);
    expect(d.visible).toBe(false);
    if (!d.visible) expect(d.reason).toContain("2027-12-31 23:59 UTC");
  });
});

describe("stableShuffle", () => {
  const items = ["a", "b", "c", "d", "e", "f"];
  it("is stable for a seed and a permutation", () => {
    expect(stableShuffle(items, "u1:3")).toEqual(stableShuffle(items, "u1:3"));
    expect([...stableShuffle(items, "u1:3")].sort()).toEqual(items);
  });
  it("differs between voters", () => {
    const orders = new Set(Array.from({ length: 20 }, (_, i) => stableShuffle(items, `user${i}:1`).join("")));
    expect(orders.size).toBeGreaterThan(5);
  });
});

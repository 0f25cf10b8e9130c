import type { PollResult } from "../models/results.server";
import { pollPercents, weightedMean, wilsonInterval } from "./stats";

// Members and guests apart (issue 27): every count carries its guests' part,
// and a page shows everyone, members only or guests only from the same
// numbers. Shares and intervals are of the chosen voters.

export const WHO = ["all", "members", "guests"] as const;
export type Who = (typeof WHO)[number];

export const whoOf = (v: string | null | undefined): Who => (v === "members" || v === "guests" ? v : "all");

export const WHO_LABEL: Record<Who, string> = { all: "Everyone", members: "Members", guests: "Guests" };

/** A poll's results as one group of its voters answered them. */
export function resultsOf(poll: PollResult, who: Who): PollResult {
  if (who === "all" || !poll.options) return poll;
  const part = (total: number, guests: number) => (who === "guests" ? guests : total - guests);
  const voters = part(poll.voters, poll.guests);
  const counts = poll.options.map((o) => part(o.count, o.guests));
  const percents = pollPercents(poll.kind, counts, voters);
  const options = poll.options.map((o, i) => {
    const [low, high] = wilsonInterval(counts[i], voters);
    return { ...o, count: counts[i], guests: who === "guests" ? counts[i] : 0, share: voters ? counts[i] / voters : 0, percent: percents[i], low, high };
  });
  const mean = poll.kind === "scale" ? weightedMean(poll.options.map((o) => o.value ?? 0), counts) : null;
  // A resolution's score is of everyone who answered: it is not split.
  // The runoff is counted over every ballot; it is not split either.
  return { ...poll, voters, guests: who === "guests" ? voters : 0, options, mean, runoff: null };
}

import type { User } from "lucia";
import { stableShuffle } from "../lib/shuffle";
import { resultsVisibility } from "../lib/visibility";
import { getMyChoices } from "./ballots.server";
import { getPoll, getPollsOfTopic, isClosed, type Poll } from "./polls.server";
import { getTopicBySlug } from "./topics.server";

// Page-shaped reads: what a route needs, in one call, so routes stay thin.
// Counts a viewer may not see never leave the server.

export type PollView = ReturnType<typeof toPollView>;

function toPollView(poll: Poll, user: User | null, mine: number[] | undefined, now: number) {
  const results = resultsVisibility(poll, { signedIn: !!user, hasVoted: !!mine }, now);
  const options = poll.options.map((o) => ({
    id: o.id,
    label: o.label,
    value: o.value,
    count: results.visible ? o.count : null,
  }));
  return {
    id: poll.id,
    slug: poll.slug,
    question: poll.question,
    descriptionHtml: poll.descriptionHtml,
    kind: poll.kind,
    minChoices: poll.minChoices,
    maxChoices: poll.maxChoices,
    scaleMinLabel: poll.scaleMinLabel,
    scaleMaxLabel: poll.scaleMaxLabel,
    visibility: poll.visibility,
    closesAt: poll.closesAt,
    closed: isClosed(poll, now),
    isPrediction: poll.isPrediction,
    resolutionCriteria: poll.resolutionCriteria,
    resolvedOptionId: poll.resolvedOptionId,
    voterCount: poll.voterCount,
    commentCount: poll.commentCount,
    // Shuffled per voter (never scales) to reduce order bias; stable for that voter.
    options: poll.shuffle && poll.kind !== "scale" ? stableShuffle(options, `${user?.id ?? "anonymous"}:${poll.id}`) : options,
    results,
    mine: mine ?? null,
  };
}

export async function getTopicPage(slug: string, user: User | null, now = Date.now()) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  const polls = await getPollsOfTopic(topic.id);
  const mine = user ? await getMyChoices(user.id, polls.map((p) => p.id)) : new Map<number, number[]>();
  return {
    topic: {
      id: topic.id,
      slug: topic.slug,
      title: topic.title,
      summaryHtml: topic.summaryHtml,
      sourceUrl: topic.sourceUrl,
      locked: topic.locked,
    },
    polls: polls.map((p) => toPollView(p, user, mine.get(p.id), now)),
  };
}

export async function getPollPage(topicSlug: string, pollSlug: string, user: User | null, now = Date.now()) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  const poll = await getPoll(topic.id, pollSlug);
  if (!poll) return null;
  const mine = user ? (await getMyChoices(user.id, [poll.id])).get(poll.id) : undefined;
  return {
    topic: { id: topic.id, slug: topic.slug, title: topic.title, locked: topic.locked },
    poll: toPollView(poll, user, mine, now),
  };
}

/** Resolves the poll a vote is aimed at, for the vote action. */
export async function findPollForVote(topicSlug: string, pollSlug: string) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  const poll = await getPoll(topic.id, pollSlug);
  return poll ? { topicSlug: topic.slug, pollId: poll.id, kind: poll.kind, slug: poll.slug } : null;
}

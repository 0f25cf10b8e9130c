import { pageClock } from "../lib/format";
import { isModerator, resultsVisibility } from "../lib/visibility";
import { textExcerpt } from "../lib/markdown.server";
import { stableShuffle } from "../lib/shuffle";
import { getClauseOfPoll, listClauseLinks } from "./clauses.server";
import { getMyChoices } from "./ballots.server";
import { getPoll, getPollsOfTopic, isClosed, type Poll } from "./polls.server";
import { isFollowing } from "./notifications.server";
import { getTopicBySlug } from "./topics.server";
import { markFromOf, recordVisit } from "./unread.server";
import { findComment, getCommentView, getThread, newestComments, answerOf, type Sort } from "./threads.server";
import { myHeldComments } from "./review.server";

/** Who is looking: models need only the id, never the auth library's types. */
type User = { id: string; role?: string };

// Page-shaped reads: what a route needs, in one call, so routes stay thin.
// Counts a viewer may not see never leave the server.

export type PollView = ReturnType<typeof toPollView>;

function toPollView(poll: Poll, user: User | null, mine: number[] | undefined, now: number, guestId: string | null = null) {
  const results = resultsVisibility(poll, { signedIn: !!user, hasVoted: !!mine }, now);
  const options = poll.options.map((o) => ({
    id: o.id,
    label: o.label,
    value: o.value,
    exclusive: o.exclusive,
    count: results.visible ? o.count : null,
    guestCount: results.visible ? o.guestCount : null,
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
    // The outcome of a resolved prediction is public whatever the results' visibility.
    resolution:
      poll.resolvedOptionId !== null && poll.resolvedAt !== null
        ? {
            optionId: poll.resolvedOptionId,
            optionLabel: poll.options.find((o) => o.id === poll.resolvedOptionId)?.label ?? "(unknown option)",
            note: poll.resolutionNote,
            sourceUrl: poll.resolutionSourceUrl,
            resolvedAt: poll.resolvedAt,
          }
        : null,
    voterCount: poll.voterCount,
    guestVoters: results.visible ? poll.guestVoters : null,
    allowGuests: poll.allowGuests,
    /** The answer is this browser's, as a guest (no account). */
    asGuest: !user && !!guestId,
    commentCount: poll.commentCount,
    commentsLocked: poll.commentsLocked,
    // Shuffled per voter (never scales) to reduce order bias; stable for that voter.
    options: poll.shuffle && poll.kind !== "scale" ? stableShuffle(options, `${user?.id ?? guestId ?? "anonymous"}:${poll.id}`) : options,
    results,
    mine: mine ?? null,
  };
}

/** `guestId`: the guest this browser is, when no one is signed in (their answers show as theirs). */
export async function getTopicPage(slug: string, user: User | null, now = Date.now(), guestId: string | null = null) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  // A clause's poll is asked on its clause's row (the versions page and the poll's own page), not among the topic's questions.
  const clauses = await listClauseLinks(topic.id);
  const ofClauses = new Set(clauses.map((c) => c.pollId));
  const all = await getPollsOfTopic(topic.id);
  const polls = all.filter((p) => !ofClauses.has(p.id));
  const voter = user?.id ?? guestId;
  const mine = voter ? await getMyChoices(voter, all.map((p) => p.id)) : new Map<number, number[]>();
  return {
    topic: {
      id: topic.id,
      slug: topic.slug,
      title: topic.title,
      summaryHtml: topic.summaryHtml,
      /** The summary's opening, for search results and link cards. */
      description: textExcerpt(topic.summaryHtml, 200),
      sourceUrl: topic.sourceUrl,
      locked: topic.locked,
      /** Whether people's statements are open (issue 28). */
      statements: topic.statementMode !== "off",
      commentCount: topic.commentCount,
      // The topic counts every thread; the general discussion is what the polls' threads leave.
      generalCommentCount: topic.commentCount - all.reduce((n, p) => n + p.commentCount, 0),
    },
    polls: polls.map((p) => toPollView(p, user, mine.get(p.id), now, guestId)),
    following: user ? await isFollowing(user.id, topic.id) : false,
    clauses: clauses.map(({ pollId, ...c }) => ({ ...c, answered: mine.has(pollId) })),
  };
}

export async function getPollPage(topicSlug: string, pollSlug: string, user: User | null, now = Date.now(), guestId: string | null = null) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  const poll = await getPoll(topic.id, pollSlug);
  if (!poll) return null;
  const voter = user?.id ?? guestId;
  const mine = voter ? (await getMyChoices(voter, [poll.id])).get(poll.id) : undefined;
  return {
    topic: { id: topic.id, slug: topic.slug, title: topic.title, locked: topic.locked },
    poll: toPollView(poll, user, mine, now, guestId),
    /** The clause this poll asks about, when it belongs to a comparison of versions. */
    clause: await getClauseOfPoll(poll.id),
  };
}

/** Resolves the poll a vote is aimed at, for the vote action. */
export async function findPollForVote(topicSlug: string, pollSlug: string) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  const poll = await getPoll(topic.id, pollSlug);
  return poll ? { topicSlug: topic.slug, pollId: poll.id, slug: poll.slug, allowGuests: poll.allowGuests } : null;
}

export type ThreadParams = { sort: Sort; page: number; stanceOptionId: number | null };

/** A thread (topic-wide when pollId is null) as the page shows it. */
export async function getThreadView(
  topic: { id: number; slug: string; locked: boolean },
  poll: { id: number; slug: string; commentsLocked: boolean; options: { id: number; label: string }[] } | null,
  params: ThreadParams,
  user: User | null,
  opts: { recordVisit: boolean } = { recordVisit: false },
) {
  const thread = await getThread({ topicId: topic.id, pollId: poll?.id ?? null, viewerId: user?.id ?? null, moderator: isModerator(user?.role), ...params });
  // Opening a thread is a visit to its topic: what is new is marked, then counts as seen.
  const newSince = user ? await (opts.recordVisit ? recordVisit : markFromOf)(user.id, topic.id) : null;
  return {
    newSince,
    ...thread,
    sort: params.sort,
    stance: params.stanceOptionId,
    locked: topic.locked || (poll?.commentsLocked ?? false),
    topicSlug: topic.slug,
    pollSlug: poll?.slug ?? null,
    stanceOptions: poll ? poll.options.map((o) => ({ id: o.id, label: o.label })) : [],
    yourAnswer: user && poll ? await answerOf(user.id, poll.id) : null,
    /** The reader's own comments waiting for a moderator in this thread (issue 28): theirs alone. */
    yourHeld: user ? await myHeldComments(user.id, topic.id, poll?.id ?? null) : [],
    now: pageClock(),
  };
}

export type ThreadView = Awaited<ReturnType<typeof getThreadView>>;

/** What the compose page needs: the thread and, for a reply, the parent. */
export async function getComposeContext(topicSlug: string, pollSlug: string | undefined, parentId: number | undefined) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  let poll: Poll | null = null;
  if (pollSlug) {
    poll = await getPoll(topic.id, pollSlug);
    if (!poll) return null;
  }
  let parent: Awaited<ReturnType<typeof findComment>> = null;
  if (parentId !== undefined) {
    parent = await findComment(parentId);
    if (!parent || parent.topicId !== topic.id) return null;
    if (parent.pollId !== (poll?.id ?? null)) {
      // A reply belongs to its parent's thread, whatever the form said.
      poll = parent.pollId === null ? null : ((await getPollsOfTopic(topic.id)).find((p) => p.id === parent!.pollId) ?? null);
    }
  }
  return {
    topic: { id: topic.id, slug: topic.slug, title: topic.title, locked: topic.locked },
    poll: poll ? { id: poll.id, slug: poll.slug, question: poll.question, options: poll.options.map((o) => ({ id: o.id, label: o.label })) } : null,
    parent: parent && parent.deletedAt === null && parent.removedAt === null ? { id: parent.id, bodyHtml: parent.bodyHtml } : null,
    parentId: parent?.id ?? null,
    parentMissing: parentId !== undefined && (!parent || parent.deletedAt !== null || parent.removedAt !== null),
  };
}

/** A comment's permalink page: its ancestors, itself highlighted, its replies. */
export async function getCommentPage(id: number, user: User | null, sort: Sort) {
  const view = await getCommentView(id, user?.id ?? null, sort);
  if (!view) return null;
  const topic = await getTopicBySlug(view.thread.topicSlug);
  const poll = view.thread.pollSlug && topic ? await getPoll(topic.id, view.thread.pollSlug) : null;
  return {
    comment: view.comment,
    ancestors: view.ancestors.map((a) => ({
      id: a.id,
      author: a.author,
      excerpt: a.state === "live" ? textExcerpt(a.bodyHtml, 140) : a.state === "removed" ? "[removed by a moderator]" : "[deleted]",
    })),
    thread: view.thread,
    locked: (topic?.locked ?? false) || (poll?.commentsLocked ?? false),
    stanceOptions: poll ? poll.options.map((o) => ({ id: o.id, label: o.label })) : [],
  };
}

export async function getTopicFeed(slug: string) {
  const topic = await getTopicBySlug(slug);
  if (!topic) return null;
  return { topic: { slug: topic.slug, title: topic.title }, comments: await newestComments(topic.id) };
}

/** A thread by its public names: the topic's general discussion, or one poll's. */
export async function findThread(topicSlug: string, pollSlug: string | undefined) {
  const topic = await getTopicBySlug(topicSlug);
  if (!topic) return null;
  if (!pollSlug) return { topicId: topic.id, pollId: null };
  const poll = await getPoll(topic.id, pollSlug);
  return poll ? { topicId: topic.id, pollId: poll.id } : null;
}

import { and, asc, eq, sql } from "drizzle-orm";
import { db } from "../../db/client";
import { ballots, pollOptions, polls, tallies, topics } from "../../db/schema/sqlite";
import { renderMarkdown } from "../lib/markdown.server";
import { isClosed } from "../lib/visibility";
import { isUniqueViolation } from "./users.server";
import { logAction } from "./moderation.server";
import { DEFAULT_SCALE_LABELS, type PollKind, type Visibility } from "./polls.server";
import { notifyPollChanged } from "./events.server";
import { insertTopic, type TopicInput } from "./topics.server";
import { fail, type Failure, type Ok } from "./outcome";

const tx = <T>(fn: () => T): T => db().transaction(fn, { behavior: "immediate" });

// ---------------------------------------------------------------- topics

export type TopicForm = TopicInput;

export async function adminCreateTopic(adminId: string, input: TopicForm): Promise<{ ok: true; slug: string } | Failure> {
  try {
    return tx(() => {
      const id = insertTopic(input);
      logAction(adminId, "topic.create", "topic", id, null, { slug: input.slug });
      return { ok: true as const, slug: input.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken.", "slug");
    throw err;
  }
}

export async function adminUpdateTopic(adminId: string, topicId: number, input: TopicForm): Promise<{ ok: true; slug: string } | Failure> {
  try {
    return tx(() => {
      const res = db()
        .update(topics)
        .set({ ...input, summaryHtml: renderMarkdown(input.summaryMd), updatedAt: Date.now() })
        .where(eq(topics.id, topicId))
        .run();
      if (res.changes === 0) return fail("not_found", "No such topic.");
      logAction(adminId, "topic.edit", "topic", topicId, null, { slug: input.slug });
      return { ok: true as const, slug: input.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken.", "slug");
    throw err;
  }
}

export async function adminGetTopic(slug: string) {
  return db().select().from(topics).where(eq(topics.slug, slug)).get() ?? null;
}

export async function adminListTopics() {
  return db().select({ id: topics.id, slug: topics.slug, title: topics.title, locked: topics.locked }).from(topics).orderBy(asc(topics.id)).all();
}

// ---------------------------------------------------------------- polls

export type PollForm = {
  slug: string;
  question: string;
  descriptionMd: string;
  kind: PollKind;
  /** In order; `id` null for a new option. An empty label removes an option (only before any ballot). */
  options: { id: number | null; label: string }[];
  minChoices: number;
  maxChoices: number;
  scaleMinLabel: string;
  scaleMaxLabel: string;
  visibility: Visibility;
  closesAt: number | null;
  shuffle: boolean;
  isPrediction: boolean;
  resolutionCriteria: string | null;
};

function checkRules(input: PollForm, labels: string[], now: number, currentClosesAt: number | null | undefined): Failure | null {
  if (input.kind !== "scale" && labels.length < 2) return fail("invalid", "Give at least two options.", "options");
  if (new Set(labels.map((l) => l.toLowerCase())).size !== labels.length) return fail("invalid", "Options must differ from each other.", "options");
  if (input.kind === "multiple") {
    if (input.minChoices < 1) return fail("invalid", "The minimum must be at least 1 (withdrawing is how people answer nothing).", "minChoices");
    if (input.minChoices > input.maxChoices) return fail("invalid", "The minimum cannot be above the maximum.", "minChoices");
    if (input.maxChoices > labels.length) return fail("invalid", "The maximum cannot be above the number of options.", "maxChoices");
    if (input.maxChoices < 1) return fail("invalid", "The maximum must be at least 1.", "maxChoices");
  }
  if (input.closesAt !== null && input.closesAt <= now && input.closesAt !== currentClosesAt) {
    return fail("invalid", "The close time must be in the future (use Close now to close a poll).", "closesAt");
  }
  if (input.isPrediction && !input.resolutionCriteria) return fail("invalid", "A prediction needs written resolution criteria.", "resolutionCriteria");
  return null;
}

function scaleLabels(input: PollForm): string[] {
  const l = [...DEFAULT_SCALE_LABELS];
  if (input.scaleMinLabel) l[0] = input.scaleMinLabel;
  if (input.scaleMaxLabel) l[4] = input.scaleMaxLabel;
  return l;
}

function pollColumns(input: PollForm) {
  const scale = input.kind === "scale";
  const single = input.kind === "single";
  return {
    question: input.question,
    descriptionMd: input.descriptionMd,
    descriptionHtml: input.descriptionMd ? renderMarkdown(input.descriptionMd) : "",
    kind: input.kind,
    minChoices: scale || single ? 1 : input.minChoices,
    maxChoices: scale || single ? 1 : input.maxChoices,
    scaleMinLabel: scale ? scaleLabels(input)[0] : null,
    scaleMaxLabel: scale ? scaleLabels(input)[4] : null,
    visibility: input.visibility,
    closesAt: input.closesAt,
    shuffle: !scale && input.shuffle,
    isPrediction: input.isPrediction,
    resolutionCriteria: input.isPrediction ? input.resolutionCriteria : null,
    updatedAt: Date.now(),
  };
}

function insertOption(pollId: number, position: number, label: string, value: number | null) {
  const opt = db().insert(pollOptions).values({ pollId, position, label, value }).returning({ id: pollOptions.id }).get();
  db().insert(tallies).values({ optionId: opt.id, pollId, count: 0 }).run();
}

export async function adminCreatePoll(adminId: string, topicId: number, input: PollForm): Promise<{ ok: true; id: number } | Failure> {
  const labels = input.kind === "scale" ? scaleLabels(input) : input.options.map((o) => o.label).filter(Boolean);
  const broken = checkRules(input, labels, Date.now(), undefined);
  if (broken) return broken;
  try {
    return tx(() => {
      const position = db().get<{ n: number }>(sql`select coalesce(max(position), -1) + 1 as n from polls where topic_id = ${topicId}`)!.n;
      const now = Date.now();
      const poll = db()
        .insert(polls)
        .values({ topicId, slug: input.slug, position, createdAt: now, ...pollColumns(input) })
        .returning({ id: polls.id })
        .get();
      labels.forEach((label, i) => insertOption(poll.id, i, label, input.kind === "scale" ? i + 1 : null));
      logAction(adminId, "poll.create", "poll", poll.id, null, { slug: input.slug });
      return { ok: true as const, id: poll.id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken in this topic.", "slug");
    throw err;
  }
}

function hasBallots(pollId: number): boolean {
  return db().select({ id: ballots.id }).from(ballots).where(eq(ballots.pollId, pollId)).limit(1).get() !== undefined;
}

/**
 * Edits a poll. Once it has ballots, options may be renamed or added, never
 * removed or reordered, and its kind is fixed: the meaning of cast votes must not change.
 */
export async function adminUpdatePoll(adminId: string, pollId: number, input: PollForm): Promise<Ok | Failure> {
  const result = tx((): Ok | Failure => {
    const current = db().select().from(polls).where(eq(polls.id, pollId)).get();
    if (!current) return fail("not_found", "No such poll.");
    const existing = db().select({ id: pollOptions.id, label: pollOptions.label }).from(pollOptions).where(eq(pollOptions.pollId, pollId)).orderBy(asc(pollOptions.position)).all();
    const voted = hasBallots(pollId);
    if (voted && input.kind !== current.kind) return fail("invalid", "The kind of a poll cannot change once people have voted.", "kind");
    const scale = input.kind === "scale";
    let wanted = scale ? scaleLabels(input).map((label, i) => ({ id: current.kind === "scale" ? (existing[i]?.id ?? null) : null, label })) : input.options;
    const ids = new Set(existing.map((e) => e.id));
    if (wanted.some((o) => o.id !== null && !ids.has(o.id))) return fail("invalid", "That option does not belong to this poll.", "options");
    if (voted) {
      const kept = wanted.filter((o) => o.id !== null);
      if (kept.length !== existing.length || kept.some((o) => !o.label)) return fail("invalid", "Options cannot be removed once people have voted; rename them instead.", "options");
      if (kept.some((o, i) => o.id !== existing[i].id)) return fail("invalid", "Options cannot be reordered once people have voted.", "options");
      const firstNew = wanted.findIndex((o) => o.id === null);
      if (firstNew !== -1 && wanted.slice(firstNew).some((o) => o.id !== null)) return fail("invalid", "New options go after the existing ones.", "options");
    }
    wanted = wanted.filter((o) => o.label);
    const broken = checkRules(input, wanted.map((o) => o.label), Date.now(), current.closesAt);
    if (broken) return broken;

    db().update(polls).set(pollColumns(input)).where(eq(polls.id, pollId)).run();
    const keep = new Set(wanted.filter((o) => o.id !== null).map((o) => o.id));
    for (const e of existing) if (!keep.has(e.id)) db().delete(pollOptions).where(eq(pollOptions.id, e.id)).run();
    // Two passes so the unique (poll, position) index never sees a clash.
    db().update(pollOptions).set({ position: sql`-1 - ${pollOptions.position}` }).where(eq(pollOptions.pollId, pollId)).run();
    wanted.forEach((o, i) => {
      if (o.id !== null) db().update(pollOptions).set({ label: o.label, position: i, value: scale ? i + 1 : null }).where(eq(pollOptions.id, o.id)).run();
      else insertOption(pollId, i, o.label, scale ? i + 1 : null);
    });
    logAction(adminId, "poll.edit", "poll", pollId, null, { slug: current.slug });
    return { ok: true };
  });
  if (result.ok) notifyPollChanged(pollId);
  return result;
}

export async function adminGetPoll(pollId: number) {
  const poll = db().select().from(polls).where(eq(polls.id, pollId)).get();
  if (!poll) return null;
  const options = db().select({ id: pollOptions.id, label: pollOptions.label, value: pollOptions.value }).from(pollOptions).where(eq(pollOptions.pollId, pollId)).orderBy(asc(pollOptions.position)).all();
  const topic = db().select({ slug: topics.slug, title: topics.title }).from(topics).where(eq(topics.id, poll.topicId)).get()!;
  return { poll, options, topic, hasBallots: hasBallots(pollId), closed: isClosed(poll) };
}

export async function adminListPolls(topicId: number) {
  return db()
    .select({ id: polls.id, slug: polls.slug, question: polls.question, kind: polls.kind, voterCount: polls.voterCount, closesAt: polls.closesAt, resolvedAt: polls.resolvedAt, isPrediction: polls.isPrediction, commentsLocked: polls.commentsLocked })
    .from(polls)
    .where(eq(polls.topicId, topicId))
    .orderBy(asc(polls.position))
    .all();
}

export async function adminClosePoll(adminId: string, pollId: number, close: boolean): Promise<Ok | Failure> {
  const res = tx((): Ok | Failure => {
    const p = db().select({ closesAt: polls.closesAt }).from(polls).where(eq(polls.id, pollId)).get();
    if (!p) return fail("not_found", "No such poll.");
    const now = Date.now();
    const closed = isClosed(p, now);
    if (close === closed) return fail("conflict", close ? "The poll is already closed." : "The poll is already open.");
    db().update(polls).set({ closesAt: close ? now : null, updatedAt: now }).where(eq(polls.id, pollId)).run();
    logAction(adminId, close ? "poll.close" : "poll.reopen", "poll", pollId, null);
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

/** Resolves a prediction; an open poll is closed at the same moment, so the ballots standing at resolution stay as they were. */
export async function adminResolvePoll(adminId: string, pollId: number, input: { optionId: number; note: string | null; sourceUrl: string | null }): Promise<Ok | Failure> {
  const res = tx((): Ok | Failure => {
    const p = db().select({ closesAt: polls.closesAt, isPrediction: polls.isPrediction }).from(polls).where(eq(polls.id, pollId)).get();
    if (!p) return fail("not_found", "No such poll.");
    if (!p.isPrediction) return fail("invalid", "Only predictions can be resolved.");
    const opt = db().select({ id: pollOptions.id }).from(pollOptions).where(and(eq(pollOptions.id, input.optionId), eq(pollOptions.pollId, pollId))).get();
    if (!opt) return fail("invalid", "That option does not belong to this poll.", "optionId");
    const now = Date.now();
    db()
      .update(polls)
      .set({
        resolvedOptionId: input.optionId,
        resolutionNote: input.note,
        resolutionSourceUrl: input.sourceUrl,
        resolvedAt: now,
        closesAt: isClosed(p, now) ? p.closesAt : now,
        updatedAt: now,
      })
      .where(eq(polls.id, pollId))
      .run();
    logAction(adminId, "poll.resolve", "poll", pollId, input.note, { optionId: input.optionId, sourceUrl: input.sourceUrl });
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

export async function adminUnresolvePoll(adminId: string, pollId: number): Promise<Ok | Failure> {
  const res = tx((): Ok | Failure => {
    const p = db().select({ resolvedAt: polls.resolvedAt }).from(polls).where(eq(polls.id, pollId)).get();
    if (!p) return fail("not_found", "No such poll.");
    if (p.resolvedAt === null) return fail("conflict", "This poll is not resolved.");
    db().update(polls).set({ resolvedOptionId: null, resolutionNote: null, resolutionSourceUrl: null, resolvedAt: null, updatedAt: Date.now() }).where(eq(polls.id, pollId)).run();
    logAction(adminId, "poll.unresolve", "poll", pollId, null);
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

import { and, asc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { db, forUpdate, isUniqueViolation, prepared, rows, transaction, type DB } from "../../db/client";
import { ballots, moderationLog, pollOptions, polls, tallies, topics } from "../../db/schema";
import { renderMarkdown } from "../lib/markdown.server";
import { isClosed } from "../lib/visibility";
import { notifyPollChanged } from "./events.server";
import { logAction } from "./moderation-log.server";
import { notifyOfResolution } from "./notifications.server";
import { fail, type Failure, type Ok } from "./outcome";
import { touchTopic } from "./data-versions.server";
import { liveCount, liveGuestCount, liveGuestVoters, liveVoters } from "./tallies.server";

export type { PollKind, Visibility } from "../../db/schema/domain";
import type { PollKind, Visibility } from "../../db/schema/domain";

export const DEFAULT_SCALE_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];

/** A poll written in short, for the seed and tests; `pollForm` turns it into the form. */
export type PollInput = {
  slug: string;
  question: string;
  descriptionMd?: string;
  kind: PollKind;
  /** Choice labels; ignored for scale polls, which get the five scale values. */
  options: string[];
  /** Labels of options that exclude every other ("None of these"); multiple choice only. */
  exclusive?: string[];
  minChoices?: number;
  maxChoices?: number;
  scaleLabels?: string[];
  visibility?: Visibility;
  closesAt?: number | null;
  shuffle?: boolean;
  isPrediction?: boolean;
  resolutionCriteria?: string | null;
  allowGuests?: boolean;
};

const pollColumns = {
  id: polls.id,
  topicId: polls.topicId,
  slug: polls.slug,
  position: polls.position,
  question: polls.question,
  descriptionHtml: polls.descriptionHtml,
  kind: polls.kind,
  minChoices: polls.minChoices,
  maxChoices: polls.maxChoices,
  scaleMinLabel: polls.scaleMinLabel,
  scaleMaxLabel: polls.scaleMaxLabel,
  visibility: polls.visibility,
  closesAt: polls.closesAt,
  shuffle: polls.shuffle,
  commentsLocked: polls.commentsLocked,
  isPrediction: polls.isPrediction,
  resolutionCriteria: polls.resolutionCriteria,
  resolvedOptionId: polls.resolvedOptionId,
  resolutionNote: polls.resolutionNote,
  resolutionSourceUrl: polls.resolutionSourceUrl,
  resolvedAt: polls.resolvedAt,
  // Folded counter plus pending deltas (tallies.server.ts).
  voterCount: liveVoters,
  /** Of voterCount, the guests (issue 27). */
  guestVoters: liveGuestVoters,
  allowGuests: polls.allowGuests,
  resultsHidden: polls.resultsHidden,
  // The poll's Merkle tree as its latest checkpoint signed it (issue 25), in
  // the same statement as the voter count, so they describe one moment.
  // Constant text (these columns only ever select from polls): a prepared
  // statement must read the same on every connection.
  treeSize: sql<number>`coalesce((select lc.size from log_checkpoints lc where lc.poll_id = polls.id), 0)`.mapWith(Number),
  treeRoot: sql<string>`coalesce((select lc.root from log_checkpoints lc where lc.poll_id = polls.id), '')`,
  // Entries still waiting for the integrator: with the tree's size, the log's length these counts include.
  pendingEntries: sql<number>`(select count(*) from log_entries pe where pe.poll_id = polls.id and pe.idx is null)`.mapWith(Number),
  commentCount: polls.commentCount,
  updatedAt: polls.updatedAt,
};

const pollsOfTopic = prepared("polls.ofTopic", (conn) =>
  conn
    .select(pollColumns)
    .from(polls)
    .where(eq(polls.topicId, sql.placeholder("topicId")))
    .orderBy(asc(polls.position), asc(polls.id)),
);

const pollBySlug = prepared("polls.bySlug", (conn) =>
  conn
    .select(pollColumns)
    .from(polls)
    .where(and(eq(polls.topicId, sql.placeholder("topicId")), eq(polls.slug, sql.placeholder("slug")))),
);

const optionColumns = {
  id: pollOptions.id,
  pollId: pollOptions.pollId,
  position: pollOptions.position,
  label: pollOptions.label,
  value: pollOptions.value,
  exclusive: pollOptions.exclusive,
  count: liveCount,
  guestCount: liveGuestCount,
};

const optionsFrom = (conn: DB) => conn.select(optionColumns).from(pollOptions).innerJoin(tallies, eq(tallies.optionId, pollOptions.id));

const optionsOfTopic = prepared("polls.optionsOfTopic", (conn) =>
  optionsFrom(conn)
    .where(inArray(pollOptions.pollId, conn.select({ id: polls.id }).from(polls).where(eq(polls.topicId, sql.placeholder("topicId")))))
    .orderBy(asc(pollOptions.pollId), asc(pollOptions.position)),
);

const optionsOfPoll = prepared("polls.optionsOfPoll", (conn) =>
  optionsFrom(conn).where(eq(pollOptions.pollId, sql.placeholder("pollId"))).orderBy(asc(pollOptions.position)),
);

type PollRow = NonNullable<Awaited<ReturnType<ReturnType<typeof pollBySlug>["get"]>>>;
export type PollOption = { id: number; pollId: number; position: number; label: string; value: number | null; exclusive: boolean; count: number; guestCount: number };
export type Poll = PollRow & { options: PollOption[] };

/** Polls of a topic with their options and tallies (counters, not ballots). */
export async function getPollsOfTopic(topicId: number): Promise<Poll[]> {
  const list = await pollsOfTopic().all({ topicId });
  if (list.length === 0) return [];
  const options = await optionsOfTopic().all({ topicId });
  return list.map((r) => ({ ...r, options: options.filter((o) => o.pollId === r.id) }));
}

export async function getPoll(topicId: number, slug: string): Promise<Poll | null> {
  const row = await pollBySlug().get({ topicId, slug });
  if (!row) return null;
  return { ...row, options: await optionsOfPoll().all({ pollId: row.id }) };
}

export { isClosed } from "../lib/visibility";

// ---------------------------------------------------------------- writes


export type PollForm = {
  slug: string;
  question: string;
  descriptionMd: string;
  kind: PollKind;
  /**
   * In order; `id` null for a new option. An empty label removes an option (only
   * before any ballot). An exclusive option cannot be picked with any other.
   */
  options: { id: number | null; label: string; exclusive: boolean }[];
  minChoices: number;
  maxChoices: number;
  scaleMinLabel: string;
  scaleMaxLabel: string;
  visibility: Visibility;
  closesAt: number | null;
  shuffle: boolean;
  isPrediction: boolean;
  resolutionCriteria: string | null;
  /** Guests (no account) may answer; never a prediction's, which is scored per person. */
  allowGuests: boolean;
};

function checkRules(input: PollForm, labels: string[], now: number, currentClosesAt: number | null | undefined): Failure | null {
  if (input.kind !== "scale" && labels.length < 2) return fail("invalid", "Give at least two options.", "options");
  if (new Set(labels.map((l) => l.toLowerCase())).size !== labels.length) return fail("invalid", "Options must differ from each other.", "options");
  if (input.kind === "multiple") {
    if (input.options.filter((o) => o.label && !o.exclusive).length < 1) return fail("invalid", "Leave at least one option that is not exclusive.", "options");
    if (input.minChoices > 1 && input.options.some((o) => o.label && o.exclusive)) {
      return fail("invalid", "An exclusive option is a whole answer on its own, so the minimum must be 1.", "minChoices");
    }
    if (input.minChoices < 1) return fail("invalid", "The minimum must be at least 1 (withdrawing is how people answer nothing).", "minChoices");
    if (input.minChoices > input.maxChoices) return fail("invalid", "The minimum cannot be above the maximum.", "minChoices");
    if (input.maxChoices > labels.length) return fail("invalid", "The maximum cannot be above the number of options.", "maxChoices");
    if (input.maxChoices < 1) return fail("invalid", "The maximum must be at least 1.", "maxChoices");
  }
  if (input.kind === "ranked") {
    if (input.maxChoices < 1) return fail("invalid", "People must be able to rank at least one option.", "maxChoices");
    if (input.maxChoices > labels.length) return fail("invalid", "The maximum cannot be above the number of options.", "maxChoices");
  }
  if (input.closesAt !== null && input.closesAt <= now && input.closesAt !== currentClosesAt) {
    return fail("invalid", "The close time must be in the future (use Close now to close a poll).", "closesAt");
  }
  if (input.isPrediction && !input.resolutionCriteria) return fail("invalid", "A prediction needs written resolution criteria.", "resolutionCriteria");
  if (input.isPrediction && input.allowGuests) return fail("invalid", "Predictions are scored per person: guests cannot answer them.", "allowGuests");
  return null;
}

function scaleLabels(input: PollForm): string[] {
  const l = [...DEFAULT_SCALE_LABELS];
  if (input.scaleMinLabel) l[0] = input.scaleMinLabel;
  if (input.scaleMaxLabel) l[4] = input.scaleMaxLabel;
  return l;
}

function formColumns(input: PollForm) {
  const scale = input.kind === "scale";
  const single = input.kind === "single";
  return {
    question: input.question,
    descriptionMd: input.descriptionMd,
    descriptionHtml: input.descriptionMd ? renderMarkdown(input.descriptionMd) : "",
    kind: input.kind,
    // A ranked ballot ranks one option at least, up to maxChoices of them.
    minChoices: scale || single || input.kind === "ranked" ? 1 : input.minChoices,
    maxChoices: scale || single ? 1 : input.maxChoices,
    scaleMinLabel: scale ? scaleLabels(input)[0] : null,
    scaleMaxLabel: scale ? scaleLabels(input)[4] : null,
    visibility: input.visibility,
    closesAt: input.closesAt,
    shuffle: !scale && input.shuffle,
    isPrediction: input.isPrediction,
    resolutionCriteria: input.isPrediction ? input.resolutionCriteria : null,
    allowGuests: input.allowGuests && !input.isPrediction,
    updatedAt: Date.now(),
  };
}

async function insertOption(tx: DB, pollId: number, position: number, label: string, value: number | null, exclusive: boolean) {
  const [opt] = await tx.insert(pollOptions).values({ pollId, position, label, value, exclusive }).returning({ id: pollOptions.id });
  await tx.insert(tallies).values({ optionId: opt.id, pollId, count: 0 });
}

/**
 * The one way a poll is made: from the admin form (actorId set, logged) or by
 * the seed (actorId null). The close-time rule guards the form; a seed may
 * create a poll that has already closed.
 */
export async function createPoll(topicId: number, input: PollForm, opts: { actorId?: string | null; position?: number } = {}): Promise<Ok<{ id: number }> | Failure> {
  const actorId = opts.actorId ?? null;
  const choices = input.kind === "scale" ? scaleLabels(input).map((label) => ({ label, exclusive: false })) : input.options.filter((o) => o.label);
  const labels = choices.map((o) => o.label);
  const broken = checkRules(input, labels, Date.now(), actorId === null ? input.closesAt : undefined);
  if (broken) return broken;
  try {
    return await transaction(async (tx) => {
      // The topic row is locked, so two polls created at once get different positions.
      const [topic] = await forUpdate(tx.select({ id: topics.id }).from(topics).where(eq(topics.id, topicId)));
      if (!topic) return fail("not_found", "No such topic.");
      touchTopic(tx, topicId);
      const position =
        opts.position ?? (await rows<{ n: number }>(tx, sql`select coalesce(max(position), -1) + 1 as n from polls where topic_id = ${topicId}`))[0].n;
      const now = Date.now();
      const [poll] = await tx
        .insert(polls)
        .values({ topicId, slug: input.slug, position, createdAt: now, ...formColumns(input) })
        .returning({ id: polls.id });
      for (const [i, o] of choices.entries()) await insertOption(tx, poll.id, i, o.label, input.kind === "scale" ? i + 1 : null, input.kind === "multiple" && o.exclusive);
      if (actorId !== null) await logAction(tx, actorId, "poll.create", "poll", poll.id, null, { slug: input.slug });
      return { ok: true as const, id: poll.id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail("invalid", "That slug is taken in this topic.", "slug");
    throw err;
  }
}

/** A poll written in short (seed, benchmarks, tests) as the full form createPoll takes. */
export function pollForm(input: PollInput): PollForm {
  const scale = input.kind === "scale";
  const labels = input.scaleLabels ?? DEFAULT_SCALE_LABELS;
  return {
    slug: input.slug,
    question: input.question,
    descriptionMd: input.descriptionMd ?? "",
    kind: input.kind,
    options: scale ? [] : input.options.map((label) => ({ id: null, label, exclusive: input.exclusive?.includes(label) ?? false })),
    minChoices: input.minChoices ?? 1,
    maxChoices: input.maxChoices ?? (input.kind === "multiple" || input.kind === "ranked" ? input.options.length : 1),
    scaleMinLabel: scale ? labels[0] : "",
    scaleMaxLabel: scale ? labels[labels.length - 1] : "",
    visibility: input.visibility ?? "always",
    closesAt: input.closesAt ?? null,
    shuffle: input.shuffle ?? false,
    isPrediction: input.isPrediction ?? false,
    resolutionCriteria: input.resolutionCriteria ?? null,
    allowGuests: input.allowGuests ?? false,
  };
}

async function hasBallots(conn: DB, pollId: number): Promise<boolean> {
  return (await conn.select({ id: ballots.id }).from(ballots).where(eq(ballots.pollId, pollId)).limit(1)).length > 0;
}

/**
 * Edits a poll. Once it has ballots, options may be renamed or added, never
 * removed or reordered, and its kind is fixed: the meaning of cast votes must not change.
 */
export async function updatePoll(adminId: string, pollId: number, input: PollForm): Promise<Ok | Failure> {
  const result = await transaction(async (tx): Promise<Ok | Failure> => {
    // Locked like a vote locks it: no ballot arrives while the options change.
    const [current] = await forUpdate(tx.select().from(polls).where(eq(polls.id, pollId)));
    if (!current) return fail("not_found", "No such poll.");
    touchTopic(tx, current.topicId);
    const existing = await tx.select({ id: pollOptions.id, label: pollOptions.label }).from(pollOptions).where(eq(pollOptions.pollId, pollId)).orderBy(asc(pollOptions.position));
    const voted = await hasBallots(tx, pollId);
    if (voted && input.kind !== current.kind) return fail("invalid", "The kind of a poll cannot change once people have voted.", "kind");
    const scale = input.kind === "scale";
    let wanted = scale
      ? scaleLabels(input).map((label, i) => ({ id: current.kind === "scale" ? (existing[i]?.id ?? null) : null, label, exclusive: false }))
      : input.options;
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

    await tx.update(polls).set(formColumns(input)).where(eq(polls.id, pollId));
    const keep = new Set(wanted.filter((o) => o.id !== null).map((o) => o.id));
    for (const e of existing) if (!keep.has(e.id)) await tx.delete(pollOptions).where(eq(pollOptions.id, e.id));
    // Two passes so the unique (poll, position) index never sees a clash.
    await tx.update(pollOptions).set({ position: sql`-1 - ${pollOptions.position}` }).where(eq(pollOptions.pollId, pollId));
    for (const [i, o] of wanted.entries()) {
      const exclusive = input.kind === "multiple" && o.exclusive;
      if (o.id !== null) await tx.update(pollOptions).set({ label: o.label, position: i, value: scale ? i + 1 : null, exclusive }).where(eq(pollOptions.id, o.id));
      else await insertOption(tx, pollId, i, o.label, scale ? i + 1 : null, exclusive);
    }
    await logAction(tx, adminId, "poll.edit", "poll", pollId, null, { slug: current.slug });
    return { ok: true };
  });
  if (result.ok) notifyPollChanged(pollId);
  return result;
}

/** A poll with its options and topic, for its edit form. */
export async function getPollForEdit(pollId: number) {
  const conn = db();
  const [poll] = await conn.select({ ...getTableColumns(polls), voterCount: liveVoters }).from(polls).where(eq(polls.id, pollId));
  if (!poll) return null;
  const options = await conn.select({ id: pollOptions.id, label: pollOptions.label, value: pollOptions.value, exclusive: pollOptions.exclusive }).from(pollOptions).where(eq(pollOptions.pollId, pollId)).orderBy(asc(pollOptions.position));
  const [topic] = await conn.select({ slug: topics.slug, title: topics.title }).from(topics).where(eq(topics.id, poll.topicId));
  return { poll, options, topic, hasBallots: await hasBallots(conn, pollId), closed: isClosed(poll) };
}

export async function listPollsForAdmin(topicId: number) {
  return db()
    .select({ id: polls.id, slug: polls.slug, question: polls.question, kind: polls.kind, voterCount: liveVoters, closesAt: polls.closesAt, resolvedAt: polls.resolvedAt, isPrediction: polls.isPrediction, commentsLocked: polls.commentsLocked })
    .from(polls)
    .where(eq(polls.topicId, topicId))
    .orderBy(asc(polls.position));
}

export async function closePoll(adminId: string, pollId: number, close: boolean): Promise<Ok | Failure> {
  const res = await transaction(async (tx): Promise<Ok | Failure> => {
    const [p] = await forUpdate(tx.select({ topicId: polls.topicId, closesAt: polls.closesAt }).from(polls).where(eq(polls.id, pollId)));
    if (!p) return fail("not_found", "No such poll.");
    touchTopic(tx, p.topicId);
    const now = Date.now();
    const closed = isClosed(p, now);
    if (close === closed) return fail("conflict", close ? "The poll is already closed." : "The poll is already open.");
    await tx.update(polls).set({ closesAt: close ? now : null, updatedAt: now }).where(eq(polls.id, pollId));
    await logAction(tx, adminId, close ? "poll.close" : "poll.reopen", "poll", pollId, null);
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

/**
 * Holds a poll's results back, or reveals them (present mode, issue 27): a
 * moderator's switch for a hall that answers first and sees after. Hidden
 * results are hidden from everyone, everywhere, until revealed.
 */
export async function setResultsHidden(actorId: string, pollId: number, hidden: boolean): Promise<Ok | Failure> {
  const res = await transaction(async (tx): Promise<Ok | Failure> => {
    const [p] = await forUpdate(tx.select({ topicId: polls.topicId, hidden: polls.resultsHidden }).from(polls).where(eq(polls.id, pollId)));
    if (!p) return fail("not_found", "No such poll.");
    if (p.hidden === hidden) return fail("conflict", hidden ? "The results are already held back." : "The results are already shown.");
    touchTopic(tx, p.topicId);
    await tx.update(polls).set({ resultsHidden: hidden, updatedAt: Date.now() }).where(eq(polls.id, pollId));
    await logAction(tx, actorId, hidden ? "poll.hide_results" : "poll.reveal_results", "poll", pollId, null);
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

/** Resolves a prediction; an open poll is closed at the same moment, so the ballots standing at resolution stay as they were. */
export async function resolvePoll(adminId: string | null, pollId: number, input: { optionId: number; note: string | null; sourceUrl: string | null }): Promise<Ok | Failure> {
  const res = await transaction(async (tx): Promise<Ok | Failure> => {
    const [p] = await forUpdate(tx.select({ topicId: polls.topicId, closesAt: polls.closesAt, isPrediction: polls.isPrediction }).from(polls).where(eq(polls.id, pollId)));
    if (!p) return fail("not_found", "No such poll.");
    touchTopic(tx, p.topicId);
    if (!p.isPrediction) return fail("invalid", "Only predictions can be resolved.");
    const [opt] = await tx.select({ id: pollOptions.id }).from(pollOptions).where(and(eq(pollOptions.id, input.optionId), eq(pollOptions.pollId, pollId)));
    if (!opt) return fail("invalid", "That option does not belong to this poll.", "optionId");
    const now = Date.now();
    await tx
      .update(polls)
      .set({
        resolvedOptionId: input.optionId,
        resolutionNote: input.note,
        resolutionSourceUrl: input.sourceUrl,
        resolvedAt: now,
        closesAt: isClosed(p, now) ? p.closesAt : now,
        updatedAt: now,
      })
      .where(eq(polls.id, pollId));
    await notifyOfResolution(tx, { id: pollId, topicId: p.topicId, optionId: input.optionId }, now);
    // The seed resolves as nobody (adminId null) and, like its polls, is not a moderator's act.
    if (adminId !== null) await logAction(tx, adminId, "poll.resolve", "poll", pollId, input.note, { optionId: input.optionId, sourceUrl: input.sourceUrl });
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

export async function unresolvePoll(adminId: string, pollId: number): Promise<Ok | Failure> {
  const res = await transaction(async (tx): Promise<Ok | Failure> => {
    const [p] = await forUpdate(tx.select({ topicId: polls.topicId, resolvedAt: polls.resolvedAt }).from(polls).where(eq(polls.id, pollId)));
    if (!p) return fail("not_found", "No such poll.");
    touchTopic(tx, p.topicId);
    if (p.resolvedAt === null) return fail("conflict", "This poll is not resolved.");
    await tx.update(polls).set({ resolvedOptionId: null, resolutionNote: null, resolutionSourceUrl: null, resolvedAt: null, updatedAt: Date.now() }).where(eq(polls.id, pollId));
    await notifyOfResolution(tx, { id: pollId, topicId: p.topicId, optionId: null }, Date.now());
    await logAction(tx, adminId, "poll.unresolve", "poll", pollId, null);
    return { ok: true };
  });
  if (res.ok) notifyPollChanged(pollId);
  return res;
}

/** Whether anyone has ever resolved or unresolved the poll: the seed leaves such a poll as people left it. */
export async function hasResolutionHistory(pollId: number): Promise<boolean> {
  const rows = await db()
    .select({ id: moderationLog.id })
    .from(moderationLog)
    .where(and(eq(moderationLog.targetType, "poll"), eq(moderationLog.targetId, String(pollId)), inArray(moderationLog.action, ["poll.resolve", "poll.unresolve"])))
    .limit(1);
  return rows.length > 0;
}

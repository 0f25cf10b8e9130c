import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { db, prepared, type DB } from "../../db/client";
import { pollOptions, polls, tallies } from "../../db/schema/sqlite";
import { renderMarkdown } from "../lib/markdown.server";

export type { PollKind, Visibility } from "../../db/schema/domain";
import type { PollKind, Visibility } from "../../db/schema/domain";

export const DEFAULT_SCALE_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];

export type PollInput = {
  slug: string;
  question: string;
  descriptionMd?: string;
  kind: PollKind;
  /** Choice labels; ignored for scale polls, which get the five scale values. */
  options: string[];
  minChoices?: number;
  maxChoices?: number;
  scaleLabels?: string[];
  visibility?: Visibility;
  closesAt?: number | null;
  shuffle?: boolean;
  isPrediction?: boolean;
  resolutionCriteria?: string | null;
  position?: number;
};

export async function createPoll(topicId: number, input: PollInput): Promise<number> {
  const conn = db();
  const now = Date.now();
  const scale = input.kind === "scale";
  const labels = scale ? (input.scaleLabels ?? DEFAULT_SCALE_LABELS) : input.options;
  const min = scale || input.kind === "single" ? 1 : (input.minChoices ?? 1);
  const max = scale || input.kind === "single" ? 1 : (input.maxChoices ?? labels.length);
  return conn.transaction((tx) => {
    const poll = tx
      .insert(polls)
      .values({
        topicId,
        slug: input.slug,
        position: input.position ?? 0,
        question: input.question,
        descriptionMd: input.descriptionMd ?? "",
        descriptionHtml: input.descriptionMd ? renderMarkdown(input.descriptionMd) : "",
        kind: input.kind,
        minChoices: min,
        maxChoices: max,
        scaleMinLabel: scale ? labels[0] : null,
        scaleMaxLabel: scale ? labels[labels.length - 1] : null,
        visibility: input.visibility ?? "always",
        closesAt: input.closesAt ?? null,
        shuffle: !scale && (input.shuffle ?? false),
        isPrediction: input.isPrediction ?? false,
        resolutionCriteria: input.resolutionCriteria ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: polls.id })
      .get();
    labels.forEach((label, i) => {
      const opt = tx
        .insert(pollOptions)
        .values({ pollId: poll.id, position: i, label, value: scale ? i + 1 : null })
        .returning({ id: pollOptions.id })
        .get();
      tx.insert(tallies).values({ optionId: opt.id, pollId: poll.id, count: 0 }).run();
    });
    return poll.id;
  });
}

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
  voterCount: polls.voterCount,
  commentCount: polls.commentCount,
  updatedAt: polls.updatedAt,
};

const pollsOfTopic = prepared((conn) =>
  conn
    .select(pollColumns)
    .from(polls)
    .where(eq(polls.topicId, sql.placeholder("topicId")))
    .orderBy(asc(polls.position), asc(polls.id))
    .prepare(),
);

const pollBySlug = prepared((conn) =>
  conn
    .select(pollColumns)
    .from(polls)
    .where(and(eq(polls.topicId, sql.placeholder("topicId")), eq(polls.slug, sql.placeholder("slug"))))
    .prepare(),
);

const optionColumns = {
  id: pollOptions.id,
  pollId: pollOptions.pollId,
  position: pollOptions.position,
  label: pollOptions.label,
  value: pollOptions.value,
  count: tallies.count,
};

const optionsFrom = (conn: DB) => conn.select(optionColumns).from(pollOptions).innerJoin(tallies, eq(tallies.optionId, pollOptions.id));

const optionsOfTopic = prepared((conn) =>
  optionsFrom(conn)
    .where(inArray(pollOptions.pollId, conn.select({ id: polls.id }).from(polls).where(eq(polls.topicId, sql.placeholder("topicId")))))
    .orderBy(asc(pollOptions.pollId), asc(pollOptions.position))
    .prepare(),
);

const optionsOfPoll = prepared((conn) =>
  optionsFrom(conn).where(eq(pollOptions.pollId, sql.placeholder("pollId"))).orderBy(asc(pollOptions.position)).prepare(),
);

type PollRow = NonNullable<ReturnType<ReturnType<typeof pollBySlug>["get"]>>;
export type PollOption = { id: number; pollId: number; position: number; label: string; value: number | null; count: number };
export type Poll = PollRow & { options: PollOption[] };

/** Polls of a topic with their options and tallies (counters, not ballots). */
export async function getPollsOfTopic(topicId: number): Promise<Poll[]> {
  const rows = pollsOfTopic().all({ topicId });
  if (rows.length === 0) return [];
  const options = optionsOfTopic().all({ topicId });
  return rows.map((r) => ({ ...r, options: options.filter((o) => o.pollId === r.id) }));
}

export async function getPoll(topicId: number, slug: string): Promise<Poll | null> {
  const row = pollBySlug().get({ topicId, slug });
  if (!row) return null;
  return { ...row, options: optionsOfPoll().all({ pollId: row.id }) };
}

export { isClosed } from "../lib/visibility";

import { createHash, createHmac } from "node:crypto";
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { db, forUpdate, prepared, transaction, type DB } from "../../db/client";
import { ballotHistory, ballotLog, polls, topics } from "../../db/schema";
import type { BallotEvent } from "../../db/schema/domain";
import { BALLOT_LOG_PAGE } from "../lib/ballot-log-response.server";
import { PUBLIC_VIEWER, resultsVisibility } from "../lib/visibility";
import { fail, type Failure } from "./outcome";
import { getPoll } from "./polls.server";
import { knownSecret, serverSecret } from "./secrets.server";
import { getTopicBySlug } from "./topics.server";
import { enqueueEntry, receiptOf, type Receipt } from "./tlog.server";

// The public ballot log of a poll (docs/ballot-log.md): every ballot event
// in order, under a per-poll pseudonym, each row chained to the one before
// by SHA-256. Rows are written in the transaction of the ballot change, while
// the poll's row is locked, so the chain has one order on every engine and
// instance. The head is read from the primary key, never kept twice.

/** The `prev` of a poll's first row. */
export const GENESIS = "0".repeat(64);

export type LogRow = { seq: number; hour: string; voter: string; action: BallotEvent; choices: string; prev: string; hash: string };

/** The line a row's hash is taken over: fields joined by "|" (none can contain one). */
export function hashLine(pollId: number, r: Omit<LogRow, "hash">): string {
  return [pollId, r.seq, r.hour, r.voter, r.action, r.choices, r.prev].join("|");
}

export const rowHash = (pollId: number, r: Omit<LogRow, "hash">) => createHash("sha256").update(hashLine(pollId, r)).digest("hex");

/** "2026-11-29T08:00Z": the hour an event happened in, and no finer. */
export function hourOf(ms: number): string {
  return `${new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().slice(0, 13)}:00Z`;
}

const SECRET = "ballot_log_pseudonyms";
/** One voter's name in one poll's log: another poll gets another name, so logs cannot be joined. */
export async function pseudonym(tx: DB, pollId: number, userId: string): Promise<string> {
  return createHmac("sha256", await serverSecret(tx, SECRET)).update(`${pollId}:${userId}`).digest("hex").slice(0, 32);
}

const q = {
  insert: prepared("ballotLog.insert", (c) =>
    c.insert(ballotLog).values({
      pollId: sql.placeholder("pollId"),
      seq: sql.placeholder("seq"),
      hour: sql.placeholder("hour"),
      voter: sql.placeholder("voter"),
      action: sql.placeholder("action"),
      choices: sql.placeholder("choices"),
      prev: sql.placeholder("prev"),
      hash: sql.placeholder("hash"),
    }),
  ),
  // The last row, by the primary key read backwards: no counter to keep beside it.
  head: prepared("ballotLog.head", (c) =>
    c
      .select({ logRows: ballotLog.seq, logHead: ballotLog.hash })
      .from(ballotLog)
      .where(eq(ballotLog.pollId, sql.placeholder("pollId")))
      .orderBy(desc(ballotLog.seq))
      .limit(1),
  ),
  page: prepared("ballotLog.page", (c) =>
    c
      .select({ seq: ballotLog.seq, hour: ballotLog.hour, voter: ballotLog.voter, action: ballotLog.action, choices: ballotLog.choices, prev: ballotLog.prev, hash: ballotLog.hash })
      .from(ballotLog)
      .where(and(eq(ballotLog.pollId, sql.placeholder("pollId")), gt(ballotLog.seq, sql.placeholder("after"))))
      .orderBy(asc(ballotLog.seq))
      .limit(sql.placeholder("limit")),
  ),
};

/**
 * Inside the ballot change's transaction, with the poll's row locked, so no
 * other change of this poll can append between the read of the last row and
 * the insert: appends one event.
 */
export async function appendBallotEvent(tx: DB, pollId: number, userId: string, action: BallotEvent, optionIds: number[], now: number): Promise<void> {
  const at = (await q.head(tx).get({ pollId })) ?? { logRows: 0, logHead: "" };
  const row = {
    seq: at.logRows + 1,
    hour: hourOf(now),
    voter: await pseudonym(tx, pollId, userId),
    action,
    choices: [...optionIds].sort((a, b) => a - b).join(" "),
    prev: at.logHead || GENESIS,
  };
  const hash = rowHash(pollId, row);
  await q.insert(tx).run({ pollId, ...row, hash });
  // The same event for the poll's transparency log (issue 25): queued, not placed; the integrator places it.
  await enqueueEntry(tx, pollId, row.voter, { hour: row.hour, action, choices: row.choices }, now);
}

export type BallotLogMeta = {
  ok: true;
  genesis: string;
  pollId: number;
  pollSlug: string;
  topicSlug: string;
  question: string;
  options: { id: number; label: string }[];
  /** Rows in the whole log, and the last row's hash: together they name its content (a log only grows). */
  rowCount: number;
  head: string;
};

/**
 * A poll's log as it stands (its length and head, one index probe), if its
 * results are public to everyone (the rule every public output asks). The
 * rows are read a page at a time with ballotLogRows.
 */
export async function getBallotLog(topicSlug: string, pollSlug: string, now = Date.now()): Promise<BallotLogMeta | Failure> {
  const topic = await getTopicBySlug(topicSlug);
  const poll = topic ? await getPoll(topic.id, pollSlug) : null;
  if (!topic || !poll) return fail("not_found", "No such poll.");
  const decision = resultsVisibility(poll, PUBLIC_VIEWER, now);
  if (!decision.visible) return fail("forbidden", `This poll's ballot log is public once its results are public to everyone. ${decision.reason}`);
  const at = await q.head(db()).get({ pollId: poll.id });
  return {
    ok: true,
    genesis: GENESIS,
    pollId: poll.id,
    pollSlug: poll.slug,
    topicSlug: topic.slug,
    question: poll.question,
    options: poll.options.map((o) => ({ id: o.id, label: o.label })),
    rowCount: at?.logRows ?? 0,
    head: at?.logHead || GENESIS,
  };
}

/** Rows `after + 1` to `after + limit` of a poll's log, in order. */
export async function ballotLogRows(pollId: number, after: number, limit = BALLOT_LOG_PAGE): Promise<LogRow[]> {
  return (await q.page().all({ pollId, after, limit: Math.min(Math.max(1, limit), BALLOT_LOG_PAGE) })) as LogRow[];
}

/**
 * Polls whose ballots changed before the log existed get a log from their
 * history, once, at start: their events in order, as the log would have
 * written them. Runs under the migration lock.
 */
export async function backfillBallotLogs(): Promise<number> {
  const todo = await db()
    .select({ id: polls.id })
    .from(polls)
    .where(
      sql`not exists (select 1 from ${ballotLog} where ${ballotLog.pollId} = ${polls.id}) and exists (select 1 from ${ballotHistory} where ${ballotHistory.pollId} = ${polls.id})`,
    );
  for (const { id } of todo) {
    await transaction(async (tx) => {
      // The poll's lock, as a vote takes it: a vote during the backfill waits, then appends after it.
      const [poll] = await forUpdate(tx.select({ id: polls.id }).from(polls).where(eq(polls.id, id)));
      if (!poll || (await q.head(tx).get({ pollId: id }))) return;
      const events = await tx
        .select({ userId: ballotHistory.userId, action: ballotHistory.action, optionIds: ballotHistory.optionIds, at: ballotHistory.at })
        .from(ballotHistory)
        .where(eq(ballotHistory.pollId, id))
        .orderBy(asc(ballotHistory.id));
      for (const e of events) await appendBallotEvent(tx, id, e.userId, e.action, JSON.parse(e.optionIds) as number[], e.at);
    });
  }
  return todo.length;
}

/** Every poll whose log is public now, by topic: what /recount links to. */
export async function publicLogs(now = Date.now()): Promise<{ slug: string; title: string; polls: { slug: string; question: string }[] }[]> {
  const list = await db()
    .select({ topicSlug: topics.slug, title: topics.title, pollSlug: polls.slug, question: polls.question, visibility: polls.visibility, closesAt: polls.closesAt })
    .from(polls)
    .innerJoin(topics, eq(topics.id, polls.topicId))
    .orderBy(asc(topics.id), asc(polls.position), asc(polls.id));
  const out: { slug: string; title: string; polls: { slug: string; question: string }[] }[] = [];
  for (const r of list) {
    if (!resultsVisibility(r, PUBLIC_VIEWER, now).visible) continue;
    let t = out.at(-1);
    if (t?.slug !== r.topicSlug) out.push((t = { slug: r.topicSlug, title: r.title, polls: [] }));
    t.polls.push({ slug: r.pollSlug, question: r.question });
  }
  return out;
}

/**
 * A signed-in voter's receipt for a poll (issue 25): their latest entry in
 * the poll's log, its place once integrated, and the checkpoint that holds
 * it. Null when they have no entry; a failure for an unknown poll.
 */
export async function getReceipt(topicSlug: string, pollSlug: string, userId: string): Promise<(Receipt & { ok: true; public: boolean }) | { ok: true; none: true } | Failure> {
  const topic = await getTopicBySlug(topicSlug);
  const poll = topic ? await getPoll(topic.id, pollSlug) : null;
  if (!topic || !poll) return fail("not_found", "No such poll.");
  const secret = await knownSecret(SECRET);
  const receipt = secret && (await receiptOf(poll.id, createHmac("sha256", secret).update(`${poll.id}:${userId}`).digest("hex").slice(0, 32)));
  if (!receipt) return { ok: true, none: true };
  return { ok: true, ...receipt, public: resultsVisibility(poll, PUBLIC_VIEWER).visible };
}

import { createHmac } from "node:crypto";
import { and, asc, eq, gt, isNotNull, sql } from "drizzle-orm";
import { db, prepared, rows, transaction, type DB } from "../../db/client";
import { ballotHistory, logEntries, polls, topics } from "../../db/schema";
import type { BallotEvent } from "../../db/schema/domain";
import { BALLOT_LOG_PAGE } from "../lib/ballot-log-response.server";
import { leafHash } from "../lib/tlog.server";
import { PUBLIC_VIEWER, resultsVisibility } from "../lib/visibility";
import { isGuestId } from "./guests.server";
import { fail, type Failure } from "./outcome";
import { getPoll } from "./polls.server";
import { knownSecret, serverSecret } from "./secrets.server";
import { getTopicBySlug } from "./topics.server";
import { ensureSigningKey, entryLine, latestCheckpoint, receiptOf, type Receipt } from "./tlog.server";

// The public ballot log of a poll (docs/ballot-log.md): every ballot event as
// one entry of the poll's transparency log (tlog.server.ts), under a per-poll
// pseudonym. A vote adds its entry without reading the log; the integrator
// gives it its place. ballots.csv and ballots.json are readable views of the
// integrated entries, a page at a time.

/** "2026-11-29T08:00Z": the hour an event happened in, and no finer. */
export function hourOf(ms: number): string {
  return `${new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().slice(0, 13)}:00Z`;
}

/** An entry as a vote writes it: the voter's pseudonym, the line, and its RFC 6962 leaf hash (hex). */
export type PendingEntry = { voter: string; line: string; hash: string };

/** A ranked ballot's entry lists its choices in rank order (issue 28); any other's, by id. */
export function ballotEntry(pollId: number, e: { hour: string; voter: string; n: number; action: BallotEvent; choices: number[]; ranked?: boolean }): PendingEntry {
  const line = entryLine(pollId, e.hour, e.voter, e.n, e.action, (e.ranked ? e.choices : [...e.choices].sort((a, b) => a - b)).join(" "));
  return { voter: e.voter, line, hash: leafHash(Buffer.from(line, "utf8")).toString("hex") };
}

const SECRET = "ballot_log_pseudonyms";

/** The key pseudonyms are made with: made once (inside `tx`, or a transaction of its own), then kept in memory. */
export async function pseudonymKey(tx?: DB): Promise<Buffer> {
  return (await knownSecret(SECRET)) ?? (tx ? serverSecret(tx, SECRET) : transaction((t) => serverSecret(t, SECRET)));
}

/** Makes the log's keys at start if there are none (pseudonyms, signing), so a vote or a GET never has to. */
export async function ensureLogKeys(): Promise<void> {
  await transaction((tx) => serverSecret(tx, SECRET));
  await ensureSigningKey();
}

/** One voter's name in one poll's log: another poll gets another name, so logs cannot be joined. */
export const voterOf = (key: Buffer, pollId: number, userId: string) =>
  // A guest's name says so ("g" before it): the log counts members and guests apart, as the results do.
  (isGuestId(userId) ? "g" : "") + createHmac("sha256", key).update(`${pollId}:${userId}`).digest("hex").slice(0, 32);

export async function pseudonym(tx: DB, pollId: number, userId: string): Promise<string> {
  return voterOf(await pseudonymKey(tx), pollId, userId);
}

/** One integrated entry, as the CSV and JSON views show it. */
export type LogRow = { index: number; hour: string; voter: string; n: number; action: BallotEvent; choices: string; leafHash: string };

const page = prepared("ballotLog.page", (c) =>
  c
    .select({ index: logEntries.idx, entry: logEntries.entry, leafHash: logEntries.hash })
    .from(logEntries)
    .where(and(eq(logEntries.pollId, sql.placeholder("pollId")), isNotNull(logEntries.idx), gt(logEntries.idx, sql.placeholder("after")), sql`${logEntries.idx} < ${sql.placeholder("size")}`))
    .orderBy(asc(logEntries.idx))
    .limit(sql.placeholder("limit")),
);

/** An entry's line read back into its fields. */
export function parseEntry(line: string): Omit<LogRow, "index" | "leafHash"> | null {
  const m = /^pulse-ballot\/1 \d+ (\S+) (g?[0-9a-f]+) (\d+) (cast|change|withdraw|removed|moved)((?: \d+)*)$/.exec(line);
  return m ? { hour: m[1], voter: m[2], n: Number(m[3]), action: m[4] as BallotEvent, choices: m[5].trim() } : null;
}

export type BallotLogMeta = {
  ok: true;
  pollId: number;
  pollSlug: string;
  topicSlug: string;
  question: string;
  options: { id: number; label: string }[];
  /** The latest signed checkpoint: the views show the entries it covers (a log only grows). */
  size: number;
  root: string;
  checkpointUrl: string;
};

/**
 * A poll's log as its latest checkpoint describes it, if its results are
 * public to everyone (the rule every public output asks). The entries are
 * read a page at a time with ballotLogRows.
 */
export async function getBallotLog(topicSlug: string, pollSlug: string, now = Date.now()): Promise<BallotLogMeta | Failure> {
  const topic = await getTopicBySlug(topicSlug);
  const poll = topic ? await getPoll(topic.id, pollSlug) : null;
  if (!topic || !poll) return fail("not_found", "No such poll.");
  const decision = resultsVisibility(poll, PUBLIC_VIEWER, now);
  if (!decision.visible) return fail("forbidden", `This poll's ballot log is public once its results are public to everyone. ${decision.reason}`);
  const c = await latestCheckpoint(poll.id);
  return {
    ok: true,
    pollId: poll.id,
    pollSlug: poll.slug,
    topicSlug: topic.slug,
    question: poll.question,
    options: poll.options.map((o) => ({ id: o.id, label: o.label })),
    size: c?.size ?? 0,
    root: c ? Buffer.from(c.root, "hex").toString("base64") : "",
    checkpointUrl: `/t/${topic.slug}/p/${poll.slug}/log/checkpoint`,
  };
}

/** Entries `after` to `after + limit - 1` of a poll's tree (zero-based), below `size`, in order. */
export async function ballotLogRows(pollId: number, after: number, limit: number, size: number): Promise<LogRow[]> {
  const list = await page().all({ pollId, after: after - 1, size, limit: Math.min(Math.max(1, limit), BALLOT_LOG_PAGE) });
  return list.map((r) => {
    const e = parseEntry(r.entry);
    if (!e) throw new Error(`log of poll ${pollId}: entry ${r.index} does not parse`);
    return { index: r.index!, ...e, leafHash: r.leafHash };
  });
}

/**
 * Polls whose ballots changed before any log existed get entries from their
 * history, once, at start: their events in order, as votes would have
 * written them. Runs under the migration lock.
 */
export async function backfillBallotLogs(): Promise<number> {
  const todo = await rows<{ id: number }>(
    db(),
    sql`select p.id from polls p where not exists (select 1 from log_entries e where e.poll_id = p.id)
      and not exists (select 1 from ballot_log l where l.poll_id = p.id)
      and exists (select 1 from ballot_history h where h.poll_id = p.id)`,
  );
  for (const { id } of todo) {
    const pollId = Number(id);
    await transaction(async (tx) => {
      const events = await tx
        .select({ userId: ballotHistory.userId, action: ballotHistory.action, optionIds: ballotHistory.optionIds, at: ballotHistory.at })
        .from(ballotHistory)
        .where(eq(ballotHistory.pollId, pollId))
        .orderBy(asc(ballotHistory.id));
      const key = await pseudonymKey(tx);
      const counted = new Map<string, number>();
      for (const e of events) {
        const voter = voterOf(key, pollId, e.userId);
        const n = (counted.get(voter) ?? 0) + 1;
        counted.set(voter, n);
        const entry = ballotEntry(pollId, { hour: hourOf(e.at), voter, n, action: e.action, choices: JSON.parse(e.optionIds) as number[] });
        await tx.insert(logEntries).values({ pollId, voter, entry: entry.line, hash: entry.hash, createdAt: e.at });
      }
    });
  }
  return todo.length;
}

/** Every poll whose log is public now, by topic: what /recount links to. */
export async function publicLogs(now = Date.now()): Promise<{ slug: string; title: string; polls: { slug: string; question: string }[] }[]> {
  const list = await db()
    .select({ topicSlug: topics.slug, title: topics.title, pollSlug: polls.slug, question: polls.question, visibility: polls.visibility, closesAt: polls.closesAt, resultsHidden: polls.resultsHidden })
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
  const receipt = secret && (await receiptOf(poll.id, voterOf(secret, poll.id, userId)));
  if (!receipt) return { ok: true, none: true };
  return { ok: true, ...receipt, public: resultsVisibility(poll, PUBLIC_VIEWER).visible };
}

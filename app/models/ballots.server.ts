import { and, eq, inArray, sql } from "drizzle-orm";
import { db, engine, hasCode, prepared, rows, transaction, type DB } from "../../db/client";
import { ballotChoices, ballotHistory, ballots, logEntries, pollOptions, polls, tallyDeltas, users } from "../../db/schema";
import type { BallotEvent } from "../../db/schema/domain";
import { isClosed } from "../lib/visibility";
import { announceLocally } from "./events.server";
import { ballotEntry, hourOf, pseudonymKey, voterOf, type PendingEntry } from "./ballot-log.server";
import { guestRowFor, guestRowMade, isGuestId } from "./guests.server";
import { fail, type Failure } from "./outcome";

// A vote without a queue (issue 25, decision 026). Ballots are the truth, one
// per person per poll. A change reads the poll's rules and the person's own
// ballot (one statement), then writes in one more: the ballot (guarded by its
// revision), its choices, the tally deltas, the history row and the log
// entry. No row that other people's votes also write is updated: counters
// take deltas that the integrator folds in batches, and the ballot log takes
// an entry without reading its head. On PostgreSQL the write is one
// statement of CTEs outside any transaction (two round trips in all); on
// SQLite both run in one short transaction.

/** What a form sent; the poll's kind decides which part counts (a scale value, option ids, or a ranked poll's ranks). */
export type VoteInput = { optionIds?: number[]; scaleValue?: number; ranks?: { optionId: number; rank: number }[] };

export type VoteResult = { ok: true; changed: boolean; optionIds: number[] } | Failure;
export type WithdrawResult = { ok: true; withdrawn: boolean } | Failure;

type OptionRule = { id: number; value: number | null; label: string; exclusive: boolean };
type PollRule = { id: number; topicId: number; kind: string; min: number; max: number; closesAt: number | null };
/** The poll's rules and the person's ballot as one statement saw them; a ranked ballot's choices are in rank order. */
type Seen = { poll: PollRule; options: OptionRule[]; ballot: { id: number; rev: number; choices: number[] } | null; events: number };

// One row per option: the poll's rules repeat on each, the ballot (if any)
// and whether it holds the option are joined on, and the voter's count of
// log entries numbers the next one.
const seenQuery = prepared("ballots.seen", (c) =>
  c
    .select({
      topicId: polls.topicId,
      kind: polls.kind,
      min: polls.minChoices,
      max: polls.maxChoices,
      closesAt: polls.closesAt,
      optionId: pollOptions.id,
      value: pollOptions.value,
      label: pollOptions.label,
      exclusive: pollOptions.exclusive,
      ballotId: ballots.id,
      rev: ballots.rev,
      // -1: not chosen; 0: chosen (unranked kinds); k: chosen k-th on a ranked ballot.
      rank: sql<number>`coalesce((select coalesce(bc.rank, 0) from ballot_choices bc where bc.ballot_id = ${ballots.id} and bc.option_id = ${pollOptions.id}), -1)`.mapWith(Number),
      events: sql<number>`(select count(*) from log_entries le where le.poll_id = ${polls.id} and le.voter = ${sql.placeholder("voter")})`.mapWith(Number),
    })
    .from(polls)
    .innerJoin(pollOptions, eq(pollOptions.pollId, polls.id))
    .leftJoin(ballots, and(eq(ballots.pollId, polls.id), eq(ballots.userId, sql.placeholder("userId"))))
    .where(eq(polls.id, sql.placeholder("pollId")))
    .orderBy(pollOptions.position, pollOptions.id),
);

async function see(conn: DB, pollId: number, userId: string, voter: string): Promise<Seen | null> {
  const list = await seenQuery(conn).all({ pollId, userId, voter });
  if (list.length === 0) return null;
  const r = list[0];
  return {
    poll: { id: pollId, topicId: r.topicId, kind: r.kind, min: r.min, max: r.max, closesAt: r.closesAt },
    options: list.map((o) => ({ id: o.optionId, value: o.value, label: o.label, exclusive: Boolean(o.exclusive) })),
    ballot: r.ballotId === null ? null : { id: r.ballotId, rev: r.rev ?? 0, choices: list.filter((o) => o.rank >= 0).sort((a, b) => a.rank - b.rank).map((o) => o.optionId) },
    events: r.events,
  };
}

/** A ranked ballot: each option at most once, each rank at most once, 1 to the poll's maximum of them; answered in rank order. */
function resolveRanking(poll: PollRule, options: OptionRule[], ranks: { optionId: number; rank: number }[]): number[] | Failure {
  const valid = new Set(options.map((o) => o.id));
  if (ranks.some((r) => !valid.has(r.optionId))) return fail("invalid", "That option does not belong to this question.", "rank");
  if (new Set(ranks.map((r) => r.optionId)).size !== ranks.length) return fail("invalid", "Give each option one place at most.", "rank");
  if (new Set(ranks.map((r) => r.rank)).size !== ranks.length) return fail("invalid", "Give each place to one option only.", "rank");
  if (ranks.length === 0) return fail("invalid", "Rank at least one option.", "rank");
  if (ranks.length > poll.max) return fail("invalid", `Rank at most ${poll.max} options.`, "rank");
  return [...ranks].sort((a, b) => a.rank - b.rank).map((r) => r.optionId);
}

function resolveChoice(poll: PollRule, options: OptionRule[], input: VoteInput): number[] | Failure {
  if (poll.kind === "ranked") return resolveRanking(poll, options, input.ranks ?? []);
  if (poll.kind === "scale") {
    if (input.scaleValue === undefined) return fail("invalid", "Pick a value from 1 to 5.", "value");
    const opt = options.find((o) => o.value === input.scaleValue);
    if (!opt) return fail("invalid", "Pick a value from 1 to 5.", "value");
    return [opt.id];
  }
  const ids = [...new Set(input.optionIds ?? [])];
  const valid = new Set(options.map((o) => o.id));
  if (ids.some((id) => !valid.has(id))) return fail("invalid", "That option does not belong to this question.", "option");
  if (poll.kind === "single") {
    if (ids.length !== 1) return fail("invalid", ids.length === 0 ? "Pick an option." : "Pick only one option.", "option");
    return ids;
  }
  const alone = ids.length > 1 ? options.find((o) => o.exclusive && ids.includes(o.id)) : undefined;
  if (alone) return fail("invalid", `"${alone.label}" cannot be picked together with other answers.`, "option");
  // An empty ballot is a withdrawal, not a vote: at least one option, whatever the minimum says.
  const min = Math.max(1, poll.min);
  if (ids.length < min) return fail("invalid", min === 1 ? "Pick at least one option." : `Pick at least ${min} options.`, "option");
  if (ids.length > poll.max) return fail("invalid", `Pick at most ${poll.max} options.`, "option");
  return ids;
}

const closedFailure = (poll: PollRule, now: number): Failure | null =>
  isClosed(poll, now) ? fail("conflict", "This poll is closed: answers can no longer be changed.") : null;

/** One ballot change, worked out from what was seen: applied whole, or not at all if the ballot moved meanwhile. */
type Change = {
  pollId: number;
  userId: string;
  now: number;
  action: BallotEvent;
  /** The ballot as seen (null for a first vote), which the write requires unchanged. */
  ballot: { id: number; rev: number } | null;
  /** In rank order on a ranked poll. */
  choices: number[];
  /** Choices to insert (with their rank on a ranked poll), to delete, and (ranked) kept ones that move. */
  add: { optionId: number; rank: number | null }[];
  remove: number[];
  rerank: { optionId: number; rank: number }[];
  /** A guest's first answer makes their row in the same write (guests.server.ts). */
  guestRow: { id: string; username: string } | null;
  /** Tally deltas; a null option is the voter count. `guest`: the part of delta that is guests'. */
  deltas: { optionId: number | null; delta: number; guest: number }[];
  entry: PendingEntry;
};

/**
 * Tally deltas from the choices before and after. A ranked poll's counters
 * hold first preferences (the runoff's first round, which the live views
 * show); the rounds are counted from the ballots (results.server.ts).
 */
function deltasOf(ranked: boolean, before: number[], after: number[], userId: string, voters: number): Change["deltas"] {
  const g = isGuestId(userId) ? 1 : 0;
  const [was, now] = ranked ? [before.slice(0, 1), after.slice(0, 1)] : [before, after];
  const deltas: Change["deltas"] = [
    ...was.filter((id) => !now.includes(id)).sort((a, b) => a - b).map((optionId) => ({ optionId, delta: -1, guest: -g })),
    ...now.filter((id) => !was.includes(id)).map((optionId) => ({ optionId, delta: 1, guest: g })),
  ];
  if (voters) deltas.push({ optionId: null, delta: voters, guest: voters * g });
  return deltas;
}

function change(seen: Seen, userId: string, voter: string, action: BallotEvent, choices: number[], now: number): Change {
  const ranked = seen.poll.kind === "ranked";
  const beforeList = seen.ballot?.choices ?? [];
  const before = new Set(beforeList);
  const after = new Set(choices);
  const rankOf = (id: number) => choices.indexOf(id) + 1;
  const add = choices.filter((id) => !before.has(id)).map((optionId) => ({ optionId, rank: ranked ? rankOf(optionId) : null }));
  const remove = [...before].filter((id) => !after.has(id)).sort((a, b) => a - b);
  const rerank = ranked ? choices.filter((id) => before.has(id) && beforeList.indexOf(id) + 1 !== rankOf(id)).map((optionId) => ({ optionId, rank: rankOf(optionId) })) : [];
  const voters = !seen.ballot ? 1 : choices.length === 0 ? -1 : 0;
  const deltas = deltasOf(ranked, beforeList, choices, userId, voters);
  const entry = ballotEntry(seen.poll.id, { hour: hourOf(now), voter, n: seen.events + 1, action, choices, ranked });
  const guestRow = !seen.ballot && choices.length ? guestRowFor(userId) : null;
  return { pollId: seen.poll.id, userId, now, action, ballot: seen.ballot && { id: seen.ballot.id, rev: seen.ballot.rev }, guestRow, choices, add, remove, rerank, deltas, entry };
}

const intArray = (ids: (number | null)[]) => `{${ids.map((id) => (id === null ? "NULL" : String(Math.trunc(id)))).join(",")}}`;

/**
 * PostgreSQL: the whole change as one statement of CTEs, in autocommit. The
 * ballot row is the only row it updates, and only this person writes it: the
 * guard (`rev`) makes a change seen from an older ballot write nothing.
 * Answers whether it was applied.
 */
async function applyOnPostgres(conn: DB, c: Change): Promise<boolean> {
  const open = sql`exists (select 1 from polls where id = ${c.pollId} and (closes_at is null or closes_at > ${c.now}))`;
  const ballot = !c.ballot
    ? sql`insert into ballots (poll_id, user_id, created_at, updated_at) select ${c.pollId}, ${c.userId}, ${c.now}, ${c.now} where ${open}
        on conflict (poll_id, user_id) do nothing returning id`
    : c.choices.length === 0
      ? sql`delete from ballots where id = ${c.ballot.id} and rev = ${c.ballot.rev} and ${open} returning id`
      : sql`update ballots set rev = rev + 1, updated_at = ${c.now} where id = ${c.ballot.id} and rev = ${c.ballot.rev} and ${open} returning id`;
  // A guest's row, made in the same statement as their first ballot: the ballot's foreign key is checked at its end.
  const guest = c.guestRow
    ? sql`gu as (insert into users (id, username, password_hash, created_at) values (${c.guestRow.id}, ${c.guestRow.username}, '', ${c.now}) on conflict do nothing),`
    : sql``;
  const found = await rows<{ id: number }>(
    conn,
    sql`with ${guest} b as (${ballot}),
      gone as (delete from ballot_choices where ballot_id in (select id from b) and option_id = any(${intArray(c.remove)}::int[])),
      added as (insert into ballot_choices (ballot_id, option_id, rank) select b.id, x.o, x.r from b, unnest(${intArray(c.add.map((a) => a.optionId))}::int[], ${intArray(c.add.map((a) => a.rank))}::int[]) as x(o, r)),
      reranked as (update ballot_choices set rank = x.r from unnest(${intArray(c.rerank.map((a) => a.optionId))}::int[], ${intArray(c.rerank.map((a) => a.rank))}::int[]) as x(o, r)
        where ballot_id in (select id from b) and option_id = x.o),
      deltas as (insert into tally_deltas (poll_id, option_id, delta, guest_delta)
        select ${c.pollId}, x.o, x.d, x.g from b, unnest(${intArray(c.deltas.map((d) => d.optionId))}::int[], ${intArray(c.deltas.map((d) => d.delta))}::int[], ${intArray(c.deltas.map((d) => d.guest))}::int[]) as x(o, d, g)),
      history as (insert into ballot_history (poll_id, user_id, action, option_ids, at) select ${c.pollId}, ${c.userId}, ${historyAction(c)}, ${JSON.stringify(c.choices)}, ${c.now} from b),
      entry as (insert into log_entries (poll_id, voter, entry, hash, created_at) select ${c.pollId}, ${c.entry.voter}, ${c.entry.line}, ${c.entry.hash}, ${c.now} from b)
      select id from b`,
  );
  return found.length > 0;
}

// History keeps the plain cast and withdrawal (its readers count changes, not causes); the public log says why.
const historyAction = (c: Pick<Change, "action" | "choices">) =>
  c.action === "removed" ? "withdraw" : c.action === "moved" ? (c.choices.length ? "cast" : "withdraw") : c.action;

// The same writes as single prepared statements, for a transaction (SQLite's, or a ban's on PostgreSQL).
const w = {
  insertGuest: prepared("ballots.insertGuest", (c) =>
    c
      .insert(users)
      .values({ id: sql.placeholder("id"), username: sql.placeholder("username"), passwordHash: "", createdAt: sql.placeholder("now") })
      .onConflictDoNothing(),
  ),
  insertBallot: prepared("ballots.insert", (c) =>
    c
      .insert(ballots)
      .values({ pollId: sql.placeholder("pollId"), userId: sql.placeholder("userId"), createdAt: sql.placeholder("now"), updatedAt: sql.placeholder("now") })
      .returning({ id: ballots.id }),
  ),
  deleteBallot: prepared("ballots.delete", (c) => c.delete(ballots).where(eq(ballots.id, sql.placeholder("id")))),
  raiseRev: prepared("ballots.raiseRev", (c) =>
    c
      .update(ballots)
      .set({ rev: sql`${ballots.rev} + 1`, updatedAt: sql`${sql.placeholder("now")}` })
      .where(eq(ballots.id, sql.placeholder("id"))),
  ),
  insertChoice: prepared("ballots.insertChoice", (c) =>
    c.insert(ballotChoices).values({ ballotId: sql.placeholder("ballotId"), optionId: sql.placeholder("optionId"), rank: sql.placeholder("rank") }),
  ),
  rerankChoice: prepared("ballots.rerankChoice", (c) =>
    c
      .update(ballotChoices)
      .set({ rank: sql`${sql.placeholder("rank")}` })
      .where(and(eq(ballotChoices.ballotId, sql.placeholder("ballotId")), eq(ballotChoices.optionId, sql.placeholder("optionId")))),
  ),
  deleteChoice: prepared("ballots.deleteChoice", (c) =>
    c.delete(ballotChoices).where(and(eq(ballotChoices.ballotId, sql.placeholder("ballotId")), eq(ballotChoices.optionId, sql.placeholder("optionId")))),
  ),
  insertDelta: prepared("ballots.insertDelta", (c) =>
    c.insert(tallyDeltas).values({ pollId: sql.placeholder("pollId"), optionId: sql.placeholder("optionId"), delta: sql.placeholder("delta"), guestDelta: sql.placeholder("guest") }),
  ),
  insertHistory: prepared("ballots.insertHistory", (c) =>
    c.insert(ballotHistory).values({
      pollId: sql.placeholder("pollId"),
      userId: sql.placeholder("userId"),
      action: sql.placeholder("action"),
      optionIds: sql.placeholder("optionIds"),
      at: sql.placeholder("now"),
    }),
  ),
  insertEntry: prepared("ballots.insertEntry", (c) =>
    c.insert(logEntries).values({
      pollId: sql.placeholder("pollId"),
      voter: sql.placeholder("voter"),
      entry: sql.placeholder("entry"),
      hash: sql.placeholder("hash"),
      createdAt: sql.placeholder("now"),
    }),
  ),
};

/** Inside a transaction that sees the ballot as it stands (SQLite's, or a ban's on PostgreSQL): the same writes, one by one. */
async function applyInTransaction(tx: DB, c: Change): Promise<void> {
  const { pollId, userId, now } = c;
  let ballotId = c.ballot?.id;
  if (c.guestRow) await w.insertGuest(tx).run({ id: c.guestRow.id, username: c.guestRow.username, now });
  if (!c.ballot) ballotId = (await w.insertBallot(tx).get({ pollId, userId, now }))!.id;
  else if (c.choices.length === 0) await w.deleteBallot(tx).run({ id: c.ballot.id });
  else {
    await w.raiseRev(tx).run({ id: c.ballot.id, now });
    for (const optionId of c.remove) await w.deleteChoice(tx).run({ ballotId, optionId });
    for (const r of c.rerank) await w.rerankChoice(tx).run({ ballotId, optionId: r.optionId, rank: r.rank });
  }
  for (const a of c.add) await w.insertChoice(tx).run({ ballotId, optionId: a.optionId, rank: a.rank });
  for (const d of c.deltas) await w.insertDelta(tx).run({ pollId, optionId: d.optionId, delta: d.delta, guest: d.guest });
  await w.insertHistory(tx).run({ pollId, userId, action: historyAction(c), optionIds: JSON.stringify(c.choices), now });
  await w.insertEntry(tx).run({ pollId, voter: c.entry.voter, entry: c.entry.line, hash: c.entry.hash, now });
}

/**
 * A change loses its race only to another change of the same ballot (the
 * same person in two tabs). After this many lost races, the change waits
 * its turn behind a lock of that ballot's own, so a burst of one person's
 * changes goes through one by one instead of retrying without end.
 */
const OPTIMISTIC = 2;
const BALLOT_LOCK = 7_011_2027;

/** One try: sees, decides and writes with the guard; null when the ballot moved meanwhile. */
async function tryChange<T>(conn: DB, pollId: number, userId: string, voter: string, decide: (seen: Seen, voter: string) => Change | T): Promise<T | Change | Failure | null> {
  const seen = await see(conn, pollId, userId, voter);
  if (!seen) return fail("not_found", "No such poll.");
  const decided = decide(seen, voter);
  if (!isChange(decided)) return decided;
  return (await applyOnPostgres(conn, decided)) ? decided : null;
}

/**
 * Sees, decides, writes: `decide` turns what was seen into a change, a
 * refusal, or nothing to do. On PostgreSQL the write applies only if the
 * ballot is as seen; otherwise everything is seen again.
 */
async function changeBallot<T>(userId: string, pollId: number, now: number, decide: (seen: Seen, voter: string) => Change | T): Promise<T | Change | Failure> {
  const voter = voterOf(await pseudonymKey(), pollId, userId);
  if (engine() === "sqlite") {
    return transaction(async (tx) => {
      const seen = await see(tx, pollId, userId, voter);
      if (!seen) return fail("not_found", "No such poll.");
      const decided = decide(seen, voter);
      if (isChange(decided)) await applyInTransaction(tx, decided);
      return decided;
    });
  }
  for (let attempt = 1; attempt <= OPTIMISTIC; attempt++) {
    try {
      const out = await tryChange(db(), pollId, userId, voter, decide);
      if (out !== null) return out;
    } catch (err) {
      // An option or the poll went while the change was decided (a foreign key): see again.
      if (!hasCode(err, ["23503"])) throw err;
    }
  }
  return transaction(async (tx) => {
    await rows(tx, sql`select pg_advisory_xact_lock(${BALLOT_LOCK}, hashtext(${`${pollId}:${userId}`}))`);
    // Behind the lock only a newcomer's first tries can still move the ballot, and each moves it once.
    for (let attempt = 1; ; attempt++) {
      const out = await tryChange(tx, pollId, userId, voter, decide);
      if (out !== null) return out;
      if (attempt >= 100) throw new Error(`ballot of ${userId} on poll ${pollId} kept changing`);
    }
  });
}

/** This process's streams hear of the change now; other instances', from the integrator (events.server.ts). */
const announced = (pollId: number) => announceLocally(pollId);

const isChange = (x: unknown): x is Change => typeof x === "object" && x !== null && "entry" in x && "deltas" in x;

/** Casts or replaces the user's ballot: ballot, choices, tally deltas, history and log entry, all or nothing. */
export async function castVote(userId: string, pollId: number, input: VoteInput, now = Date.now()): Promise<VoteResult> {
  const out = await changeBallot(userId, pollId, now, (seen, voter): Change | VoteResult => {
    const closed = closedFailure(seen.poll, now);
    if (closed) return closed;
    const chosen = resolveChoice(seen.poll, seen.options, input);
    if (!Array.isArray(chosen)) return chosen;
    // A ranked ballot is its order; any other, the set of its choices.
    const before = seen.ballot?.choices ?? [];
    if (seen.poll.kind !== "ranked") chosen.sort((a, b) => a - b);
    const same = seen.poll.kind === "ranked" ? before.every((id, i) => chosen[i] === id) : before.every((id) => chosen.includes(id));
    if (seen.ballot && before.length === chosen.length && same) return { ok: true, changed: false, optionIds: chosen };
    return change(seen, userId, voter, seen.ballot ? "change" : "cast", chosen, now);
  });
  if (!isChange(out)) return out;
  if (out.guestRow) guestRowMade(out.guestRow.id);
  announced(pollId);
  return { ok: true, changed: true, optionIds: out.choices };
}

/** Removes the user's ballot, if any, and takes it out of the tallies. */
export async function withdrawVote(userId: string, pollId: number, now = Date.now()): Promise<WithdrawResult> {
  const out = await changeBallot(userId, pollId, now, (seen, voter): Change | WithdrawResult => {
    const closed = closedFailure(seen.poll, now);
    if (closed) return closed;
    return seen.ballot ? change(seen, userId, voter, "withdraw", [], now) : { ok: true, withdrawn: false };
  });
  if (!isChange(out)) return out;
  announced(pollId);
  return { ok: true, withdrawn: true };
}

/**
 * Inside a transaction: withdraws every ballot of a user, tallies included.
 * The public log calls it a withdrawal when the person left (account
 * deletion) and a removal when a moderator's ban took the ballots out. Each
 * ballot is locked before it is read, so a vote of theirs in flight either
 * lands first and is withdrawn, or finds its ballot gone.
 */
export async function withdrawAllBallotsInTransaction(tx: DB, userId: string, now = Date.now(), action: "withdraw" | "removed" = "withdraw"): Promise<number[]> {
  const held = await rows<{ id: number; poll_id: number }>(
    tx,
    sql`select id, poll_id from ballots where user_id = ${userId} order by poll_id ${engine() === "pg" ? sql`for update` : sql``}`,
  );
  const key = await pseudonymKey(tx);
  for (const { poll_id: pollId } of held) {
    const voter = voterOf(key, pollId, userId);
    const seen = await see(tx, pollId, userId, voter);
    if (seen?.ballot) await applyInTransaction(tx, change(seen, userId, voter, action, [], now));
  }
  return held.map((h) => Number(h.poll_id));
}

/**
 * A guest who signs up or in brings their answers (issue 27): in one
 * transaction, each guest ballot on a poll the account has not answered
 * becomes the account's (the log says `moved` for both names: the guest's
 * empties, the account's holds the choices), and a guest ballot on a poll
 * the account answered already is withdrawn, so one person counts once.
 * Closed polls are left as they are. Answers the polls that moved.
 */
export async function claimGuestBallots(guestId: string, userId: string, now = Date.now()): Promise<number[]> {
  if (!isGuestId(guestId) || isGuestId(userId)) return [];
  const touched = await transaction(async (tx) => {
    const held = await rows<{ poll_id: number; closes_at: number | null }>(
      tx,
      sql`select b.poll_id, p.closes_at from ballots b join polls p on p.id = b.poll_id where b.user_id = ${guestId} order by b.poll_id ${engine() === "pg" ? sql`for update of b` : sql``}`,
    );
    const key = await pseudonymKey(tx);
    const moved: number[] = [];
    for (const { poll_id, closes_at } of held) {
      const pollId = Number(poll_id);
      if (isClosed({ closesAt: closes_at === null ? null : Number(closes_at) }, now)) continue;
      const guestVoter = voterOf(key, pollId, guestId);
      const guest = await see(tx, pollId, guestId, guestVoter);
      if (!guest?.ballot) continue;
      if (engine() === "pg") await rows(tx, sql`select pg_advisory_xact_lock(${BALLOT_LOCK}, hashtext(${`${pollId}:${userId}`}))`);
      const memberVoter = voterOf(key, pollId, userId);
      const member = await see(tx, pollId, userId, memberVoter);
      if (!member) continue;
      const keep = !member.ballot;
      await applyInTransaction(tx, change(guest, guestId, guestVoter, keep ? "moved" : "withdraw", [], now));
      if (keep) await applyInTransaction(tx, change(member, userId, memberVoter, "moved", guest.ballot.choices, now));
      moved.push(pollId);
    }
    return moved;
  });
  for (const pollId of touched) announced(pollId);
  return touched;
}

/** The user's current choices for each of the given polls. */
export async function getMyChoices(userId: string, pollIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (pollIds.length === 0) return map;
  const found = await db()
    .select({ pollId: ballots.pollId, optionId: ballotChoices.optionId })
    .from(ballots)
    .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballots.id))
    .where(and(eq(ballots.userId, userId), inArray(ballots.pollId, pollIds)))
    // A ranked ballot's choices in rank order.
    .orderBy(ballots.pollId, ballotChoices.rank, ballotChoices.optionId);
  for (const r of found) {
    const list = map.get(r.pollId) ?? [];
    list.push(r.optionId);
    map.set(r.pollId, list);
  }
  return map;
}

const rankings = prepared("ballots.rankings", (c) =>
  c
    .select({ ballotId: ballots.id, userId: ballots.userId, optionId: ballotChoices.optionId })
    .from(ballots)
    .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballots.id))
    .where(eq(ballots.pollId, sql.placeholder("pollId")))
    .orderBy(ballots.id, ballotChoices.rank),
);

/** Every standing ballot of a ranked poll, as its voter and their choices in rank order: what the runoff counts. */
export async function rankedBallots(pollId: number): Promise<{ userId: string; ranking: number[] }[]> {
  const out: { ballotId: number; userId: string; ranking: number[] }[] = [];
  for (const r of await rankings().all({ pollId })) {
    const last = out[out.length - 1];
    if (last?.ballotId === r.ballotId) last.ranking.push(r.optionId);
    else out.push({ ballotId: r.ballotId, userId: r.userId, ranking: [r.optionId] });
  }
  return out.map(({ userId, ranking }) => ({ userId, ranking }));
}

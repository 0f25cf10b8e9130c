import { and, eq, inArray, sql } from "drizzle-orm";
import { db, forUpdate, prepared, transaction, type DB } from "../../db/client";
import { ballotChoices, ballotHistory, ballots, pollOptions, polls, tallies, tallyDaily } from "../../db/schema";
import type { BallotEvent } from "../../db/schema/domain";
import { isClosed } from "../lib/visibility";
import { notifyPollChanged } from "./events.server";
import { appendBallotEvent } from "./ballot-log.server";
import { fail, type Failure } from "./outcome";
import { touchTopic } from "./data-versions.server";

/** What a form sent; the poll's kind decides which part counts (a scale value, or option ids). */
export type VoteInput = { optionIds?: number[]; scaleValue?: number };

export type VoteResult = { ok: true; changed: boolean; optionIds: number[] } | Failure;
export type WithdrawResult = { ok: true; withdrawn: boolean } | Failure;

const q = {
  // The poll row is locked first: on PostgreSQL every ballot change on a
  // poll then takes its turn, so two changes of one ballot cannot both work
  // from the same old choices, and tallies are always locked in one order.
  poll: prepared("ballots.poll", (c) =>
    forUpdate(
      c
        .select({
          id: polls.id,
          topicId: polls.topicId,
          kind: polls.kind,
          min: polls.minChoices,
          max: polls.maxChoices,
          closesAt: polls.closesAt,
        })
        .from(polls)
        .where(eq(polls.id, sql.placeholder("pollId"))),
    ),
  ),
  options: prepared("ballots.options", (c) =>
    c
      .select({ id: pollOptions.id, value: pollOptions.value, label: pollOptions.label, exclusive: pollOptions.exclusive })
      .from(pollOptions)
      .where(eq(pollOptions.pollId, sql.placeholder("pollId"))),
  ),
  ballot: prepared("ballots.ballot", (c) =>
    c
      .select({ id: ballots.id })
      .from(ballots)
      .where(and(eq(ballots.pollId, sql.placeholder("pollId")), eq(ballots.userId, sql.placeholder("userId")))),
  ),
  choices: prepared("ballots.choices", (c) =>
    c
      .select({ optionId: ballotChoices.optionId })
      .from(ballotChoices)
      .where(eq(ballotChoices.ballotId, sql.placeholder("ballotId"))),
  ),
  insertBallot: prepared("ballots.insertBallot", (c) =>
    c
      .insert(ballots)
      .values({
        pollId: sql.placeholder("pollId"),
        userId: sql.placeholder("userId"),
        createdAt: sql.placeholder("now"),
        updatedAt: sql.placeholder("now"),
      })
      .returning({ id: ballots.id }),
  ),
  touchBallot: prepared("ballots.touchBallot", (c) =>
    c
      .update(ballots)
      .set({ updatedAt: sql`${sql.placeholder("now")}` })
      .where(eq(ballots.id, sql.placeholder("ballotId"))),
  ),
  deleteBallot: prepared("ballots.deleteBallot", (c) => c.delete(ballots).where(eq(ballots.id, sql.placeholder("ballotId")))),
  insertChoice: prepared("ballots.insertChoice", (c) =>
    c
      .insert(ballotChoices)
      .values({ ballotId: sql.placeholder("ballotId"), optionId: sql.placeholder("optionId") }),
  ),
  deleteChoice: prepared("ballots.deleteChoice", (c) =>
    c
      .delete(ballotChoices)
      .where(and(eq(ballotChoices.ballotId, sql.placeholder("ballotId")), eq(ballotChoices.optionId, sql.placeholder("optionId")))),
  ),
  bumpTally: prepared("ballots.bumpTally", (c) =>
    c
      .update(tallies)
      .set({ count: sql`${tallies.count} + ${sql.placeholder("delta")}` })
      .where(eq(tallies.optionId, sql.placeholder("optionId"))),
  ),
  bumpVoters: prepared("ballots.bumpVoters", (c) =>
    c
      .update(polls)
      .set({ voterCount: sql`${polls.voterCount} + ${sql.placeholder("delta")}` })
      .where(eq(polls.id, sql.placeholder("pollId")))
      .returning({ voters: polls.voterCount }),
  ),
  voters: prepared("ballots.voters", (c) =>
    c.select({ voters: polls.voterCount }).from(polls).where(eq(polls.id, sql.placeholder("pollId"))),
  ),
  history: prepared("ballots.history", (c) =>
    c
      .insert(ballotHistory)
      .values({
        pollId: sql.placeholder("pollId"),
        userId: sql.placeholder("userId"),
        action: sql.placeholder("action"),
        optionIds: sql.placeholder("optionIds"),
        at: sql.placeholder("now"),
      }),
  ),
  // The day's roll-up row is the tallies as they stand after this change, so
  // the last write of a day is that day's closing state.
  rollup: prepared("ballots.rollup", (c) =>
    c
      .insert(tallyDaily)
      .select(
        c
          .select({
            pollId: tallies.pollId,
            // Typed, so PostgreSQL knows what the parameters are.
            day: sql`cast(${sql.placeholder("day")} as text)`.as("day"),
            optionId: tallies.optionId,
            count: tallies.count,
            voters: sql`cast(${sql.placeholder("voters")} as integer)`.as("voters"),
          })
          .from(tallies)
          .where(eq(tallies.pollId, sql.placeholder("pollId"))),
      )
      .onConflictDoUpdate({
        target: [tallyDaily.pollId, tallyDaily.day, tallyDaily.optionId],
        set: { count: sql`excluded.count`, voters: sql`excluded.voters` },
      }),
  ),
};


const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type PollRule = NonNullable<Awaited<ReturnType<ReturnType<typeof q.poll>["get"]>>>;

function resolveChoice(poll: PollRule, options: { id: number; value: number | null; label: string; exclusive: boolean }[], input: VoteInput): number[] | Failure {
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

function closedFailure(poll: PollRule, now: number): Failure | null {
  return isClosed(poll, now) ? fail("conflict", "This poll is closed: answers can no longer be changed.") : null;
}

async function afterChange(
  tx: DB,
  poll: { id: number; topicId: number },
  userId: string,
  action: BallotEvent,
  optionIds: number[],
  now: number,
  voters: number,
) {
  // History keeps the plain withdrawal (its readers count changes, not causes); the public log says why.
  await q.history(tx).run({ pollId: poll.id, userId, action: action === "removed" ? "withdraw" : action, optionIds: JSON.stringify(optionIds), now });
  await appendBallotEvent(tx, poll.id, userId, action, optionIds, now);
  await q.rollup(tx).run({ pollId: poll.id, day: utcDay(now), voters });
  touchTopic(tx, poll.topicId);
}

/** Casts or replaces the user's ballot; ballot, tallies, history and roll-up change in one transaction. */
export async function castVote(userId: string, pollId: number, input: VoteInput, now = Date.now()): Promise<VoteResult> {
  const result = await transaction(async (tx): Promise<VoteResult> => {
    const poll = await q.poll(tx).get({ pollId });
    if (!poll) return fail("not_found", "No such poll.");
    const closed = closedFailure(poll, now);
    if (closed) return closed;
    const chosen = resolveChoice(poll, await q.options(tx).all({ pollId }), input);
    if (!Array.isArray(chosen)) return chosen;
    // Tallies change in option order, whatever order the form sent.
    chosen.sort((a, b) => a - b);

    const existing = await q.ballot(tx).get({ pollId, userId });
    if (!existing) {
      const ballot = await q.insertBallot(tx).get({ pollId, userId, now });
      if (!ballot) throw new Error("ballot insert returned nothing");
      for (const optionId of chosen) {
        await q.insertChoice(tx).run({ ballotId: ballot.id, optionId });
        await q.bumpTally(tx).run({ optionId, delta: 1 });
      }
      const { voters } = (await q.bumpVoters(tx).get({ pollId, delta: 1 }))!;
      await afterChange(tx, poll, userId, "cast", chosen, now, voters);
      return { ok: true, changed: true, optionIds: chosen };
    }

    const before = new Set((await q.choices(tx).all({ ballotId: existing.id })).map((r) => r.optionId));
    const after = new Set(chosen);
    const changes = [
      ...[...before].filter((id) => !after.has(id)).map((optionId) => ({ optionId, delta: -1 })),
      ...chosen.filter((id) => !before.has(id)).map((optionId) => ({ optionId, delta: 1 })),
    ].sort((a, b) => a.optionId - b.optionId);
    if (changes.length === 0) return { ok: true, changed: false, optionIds: chosen };
    for (const { optionId, delta } of changes) {
      if (delta < 0) await q.deleteChoice(tx).run({ ballotId: existing.id, optionId });
      else await q.insertChoice(tx).run({ ballotId: existing.id, optionId });
      await q.bumpTally(tx).run({ optionId, delta });
    }
    await q.touchBallot(tx).run({ ballotId: existing.id, now });
    const { voters } = (await q.voters(tx).get({ pollId }))!;
    await afterChange(tx, poll, userId, "change", chosen, now, voters);
    return { ok: true, changed: true, optionIds: chosen };
  });
  if (result.ok && result.changed) notifyPollChanged(pollId);
  return result;
}

/** Removes the user's ballot, if any, and takes it out of the tallies. */
export async function withdrawVote(userId: string, pollId: number, now = Date.now()): Promise<WithdrawResult> {
  const result = await transaction(async (tx): Promise<WithdrawResult> => {
    const poll = await q.poll(tx).get({ pollId });
    if (!poll) return fail("not_found", "No such poll.");
    const closed = closedFailure(poll, now);
    if (closed) return closed;
    if (!(await removeBallot(tx, userId, poll, now))) return { ok: true, withdrawn: false };
    return { ok: true, withdrawn: true };
  });
  if (result.ok && result.withdrawn) notifyPollChanged(pollId);
  return result;
}

/** Inside a transaction that holds the poll's lock: deletes a ballot and reverses its tallies. */
async function removeBallot(tx: DB, userId: string, poll: { id: number; topicId: number }, now: number, action: "withdraw" | "removed" = "withdraw"): Promise<boolean> {
  const pollId = poll.id;
  const existing = await q.ballot(tx).get({ pollId, userId });
  if (!existing) return false;
  const choices = (await q.choices(tx).all({ ballotId: existing.id })).map((r) => r.optionId).sort((a, b) => a - b);
  for (const optionId of choices) await q.bumpTally(tx).run({ optionId, delta: -1 });
  await q.deleteBallot(tx).run({ ballotId: existing.id });
  const { voters } = (await q.bumpVoters(tx).get({ pollId, delta: -1 }))!;
  await afterChange(tx, poll, userId, action, [], now, voters);
  return true;
}

/**
 * Inside a transaction: withdraws every ballot of a user, tallies included.
 * The public log calls it a withdrawal when the person left (account
 * deletion) and a removal when a moderator's ban took the ballots out.
 */
export async function withdrawAllBallotsInTransaction(tx: DB, userId: string, now = Date.now(), action: "withdraw" | "removed" = "withdraw"): Promise<number[]> {
  const pollIds = (await tx.select({ pollId: ballots.pollId }).from(ballots).where(eq(ballots.userId, userId)))
    .map((r) => r.pollId)
    .sort((a, b) => a - b);
  for (const pollId of pollIds) {
    // Each poll's lock, in poll order, as a vote would take it.
    const poll = await q.poll(tx).get({ pollId });
    if (poll) await removeBallot(tx, userId, poll, now, action);
  }
  return pollIds;
}

/** The user's current choices for each of the given polls. */
export async function getMyChoices(userId: string, pollIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (pollIds.length === 0) return map;
  const rows = await db()
    .select({ pollId: ballots.pollId, optionId: ballotChoices.optionId })
    .from(ballots)
    .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballots.id))
    .where(and(eq(ballots.userId, userId), inArray(ballots.pollId, pollIds)));
  for (const r of rows) {
    const list = map.get(r.pollId) ?? [];
    list.push(r.optionId);
    map.set(r.pollId, list);
  }
  return map;
}

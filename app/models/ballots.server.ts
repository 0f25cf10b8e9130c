import { and, eq, inArray, sql } from "drizzle-orm";
import { db, prepared, transaction } from "../../db/client";
import { ballotChoices, ballotHistory, ballots, pollOptions, polls, tallies, tallyDaily } from "../../db/schema/sqlite";
import { isClosed } from "../lib/visibility";
import { notifyPollChanged } from "./events.server";
import { fail, type Failure } from "./outcome";

/** What a form sent; the poll's kind decides which part counts (a scale value, or option ids). */
export type VoteInput = { optionIds?: number[]; scaleValue?: number };

export type VoteResult = { ok: true; changed: boolean; optionIds: number[] } | Failure;
export type WithdrawResult = { ok: true; withdrawn: boolean } | Failure;

const q = {
  poll: prepared((c) =>
    c
      .select({ id: polls.id, kind: polls.kind, min: polls.minChoices, max: polls.maxChoices, closesAt: polls.closesAt })
      .from(polls)
      .where(eq(polls.id, sql.placeholder("pollId")))
      .prepare(),
  ),
  options: prepared((c) =>
    c
      .select({ id: pollOptions.id, value: pollOptions.value })
      .from(pollOptions)
      .where(eq(pollOptions.pollId, sql.placeholder("pollId")))
      .prepare(),
  ),
  ballot: prepared((c) =>
    c
      .select({ id: ballots.id })
      .from(ballots)
      .where(and(eq(ballots.pollId, sql.placeholder("pollId")), eq(ballots.userId, sql.placeholder("userId"))))
      .prepare(),
  ),
  choices: prepared((c) =>
    c
      .select({ optionId: ballotChoices.optionId })
      .from(ballotChoices)
      .where(eq(ballotChoices.ballotId, sql.placeholder("ballotId")))
      .prepare(),
  ),
  insertBallot: prepared((c) =>
    c
      .insert(ballots)
      .values({
        pollId: sql.placeholder("pollId"),
        userId: sql.placeholder("userId"),
        createdAt: sql.placeholder("now"),
        updatedAt: sql.placeholder("now"),
      })
      .returning({ id: ballots.id })
      .prepare(),
  ),
  touchBallot: prepared((c) =>
    c
      .update(ballots)
      .set({ updatedAt: sql`${sql.placeholder("now")}` })
      .where(eq(ballots.id, sql.placeholder("ballotId")))
      .prepare(),
  ),
  deleteBallot: prepared((c) => c.delete(ballots).where(eq(ballots.id, sql.placeholder("ballotId"))).prepare()),
  insertChoice: prepared((c) =>
    c
      .insert(ballotChoices)
      .values({ ballotId: sql.placeholder("ballotId"), optionId: sql.placeholder("optionId") })
      .prepare(),
  ),
  deleteChoice: prepared((c) =>
    c
      .delete(ballotChoices)
      .where(and(eq(ballotChoices.ballotId, sql.placeholder("ballotId")), eq(ballotChoices.optionId, sql.placeholder("optionId"))))
      .prepare(),
  ),
  bumpTally: prepared((c) =>
    c
      .update(tallies)
      .set({ count: sql`${tallies.count} + ${sql.placeholder("delta")}` })
      .where(eq(tallies.optionId, sql.placeholder("optionId")))
      .prepare(),
  ),
  bumpVoters: prepared((c) =>
    c
      .update(polls)
      .set({ voterCount: sql`${polls.voterCount} + ${sql.placeholder("delta")}` })
      .where(eq(polls.id, sql.placeholder("pollId")))
      .returning({ voters: polls.voterCount })
      .prepare(),
  ),
  voters: prepared((c) =>
    c.select({ voters: polls.voterCount }).from(polls).where(eq(polls.id, sql.placeholder("pollId"))).prepare(),
  ),
  history: prepared((c) =>
    c
      .insert(ballotHistory)
      .values({
        pollId: sql.placeholder("pollId"),
        userId: sql.placeholder("userId"),
        action: sql.placeholder("action"),
        optionIds: sql.placeholder("optionIds"),
        at: sql.placeholder("now"),
      })
      .prepare(),
  ),
  // The day's roll-up row is the tallies as they stand after this change, so
  // the last write of a day is that day's closing state.
  rollup: prepared((c) =>
    c
      .insert(tallyDaily)
      .select(
        c
          .select({
            pollId: tallies.pollId,
            day: sql`${sql.placeholder("day")}`.as("day"),
            optionId: tallies.optionId,
            count: tallies.count,
            voters: sql`${sql.placeholder("voters")}`.as("voters"),
          })
          .from(tallies)
          .where(eq(tallies.pollId, sql.placeholder("pollId"))),
      )
      .onConflictDoUpdate({
        target: [tallyDaily.pollId, tallyDaily.day, tallyDaily.optionId],
        set: { count: sql`excluded.count`, voters: sql`excluded.voters` },
      })
      .prepare(),
  ),
};


const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type PollRule = NonNullable<ReturnType<ReturnType<typeof q.poll>["get"]>>;

function resolveChoice(poll: PollRule, options: { id: number; value: number | null }[], input: VoteInput): number[] | Failure {
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
  // An empty ballot is a withdrawal, not a vote: at least one option, whatever the minimum says.
  const min = Math.max(1, poll.min);
  if (ids.length < min) return fail("invalid", min === 1 ? "Pick at least one option." : `Pick at least ${min} options.`, "option");
  if (ids.length > poll.max) return fail("invalid", `Pick at most ${poll.max} options.`, "option");
  return ids;
}

function closedFailure(poll: PollRule, now: number): Failure | null {
  return isClosed(poll, now) ? fail("conflict", "This poll is closed: answers can no longer be changed.") : null;
}

function afterChange(pollId: number, userId: string, action: "cast" | "change" | "withdraw", optionIds: number[], now: number, voters: number) {
  q.history().run({ pollId, userId, action, optionIds: JSON.stringify(optionIds), now });
  q.rollup().run({ pollId, day: utcDay(now), voters });
}

/** Casts or replaces the user's ballot; ballot, tallies, history and roll-up change in one transaction. */
export async function castVote(userId: string, pollId: number, input: VoteInput, now = Date.now()): Promise<VoteResult> {
  const result = transaction(
    (): VoteResult => {
      const poll = q.poll().get({ pollId });
      if (!poll) return fail("not_found", "No such poll.");
      const closed = closedFailure(poll, now);
      if (closed) return closed;
      const chosen = resolveChoice(poll, q.options().all({ pollId }), input);
      if (!Array.isArray(chosen)) return chosen;

      const existing = q.ballot().get({ pollId, userId });
      if (!existing) {
        const ballot = q.insertBallot().get({ pollId, userId, now });
        if (!ballot) throw new Error("ballot insert returned nothing");
        for (const optionId of chosen) {
          q.insertChoice().run({ ballotId: ballot.id, optionId });
          q.bumpTally().run({ optionId, delta: 1 });
        }
        const { voters } = q.bumpVoters().get({ pollId, delta: 1 })!;
        afterChange(pollId, userId, "cast", chosen, now, voters);
        return { ok: true, changed: true, optionIds: chosen };
      }

      const before = new Set(q.choices().all({ ballotId: existing.id }).map((r) => r.optionId));
      const after = new Set(chosen);
      const removed = [...before].filter((id) => !after.has(id));
      const added = chosen.filter((id) => !before.has(id));
      if (removed.length === 0 && added.length === 0) return { ok: true, changed: false, optionIds: chosen };
      for (const optionId of removed) {
        q.deleteChoice().run({ ballotId: existing.id, optionId });
        q.bumpTally().run({ optionId, delta: -1 });
      }
      for (const optionId of added) {
        q.insertChoice().run({ ballotId: existing.id, optionId });
        q.bumpTally().run({ optionId, delta: 1 });
      }
      q.touchBallot().run({ ballotId: existing.id, now });
      const { voters } = q.voters().get({ pollId })!;
      afterChange(pollId, userId, "change", chosen, now, voters);
      return { ok: true, changed: true, optionIds: chosen };
    },
  );
  if (result.ok && result.changed) notifyPollChanged(pollId);
  return result;
}

/** Removes the user's ballot, if any, and takes it out of the tallies. */
export async function withdrawVote(userId: string, pollId: number, now = Date.now()): Promise<WithdrawResult> {
  const result = transaction(
    (): WithdrawResult => {
      const poll = q.poll().get({ pollId });
      if (!poll) return fail("not_found", "No such poll.");
      const closed = closedFailure(poll, now);
      if (closed) return closed;
      if (!removeBallot(userId, pollId, now)) return { ok: true, withdrawn: false };
      return { ok: true, withdrawn: true };
    },
  );
  if (result.ok && result.withdrawn) notifyPollChanged(pollId);
  return result;
}

/** Inside a transaction: deletes a ballot and reverses its tallies. */
function removeBallot(userId: string, pollId: number, now: number): boolean {
  const existing = q.ballot().get({ pollId, userId });
  if (!existing) return false;
  for (const { optionId } of q.choices().all({ ballotId: existing.id })) {
    q.bumpTally().run({ optionId, delta: -1 });
  }
  q.deleteBallot().run({ ballotId: existing.id });
  const { voters } = q.bumpVoters().get({ pollId, delta: -1 })!;
  afterChange(pollId, userId, "withdraw", [], now, voters);
  return true;
}

/** Withdraws every ballot of a user (moderation, account deletion), tallies included. */
export function withdrawAllBallotsInTransaction(userId: string, now = Date.now()): number[] {
  const pollIds = db()
    .select({ pollId: ballots.pollId })
    .from(ballots)
    .where(eq(ballots.userId, userId))
    .all()
    .map((r) => r.pollId);
  for (const pollId of pollIds) removeBallot(userId, pollId, now);
  return pollIds;
}

/** The user's current choices for each of the given polls. */
export async function getMyChoices(userId: string, pollIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (pollIds.length === 0) return map;
  const rows = db()
    .select({ pollId: ballots.pollId, optionId: ballotChoices.optionId })
    .from(ballots)
    .innerJoin(ballotChoices, eq(ballotChoices.ballotId, ballots.id))
    .where(and(eq(ballots.userId, userId), inArray(ballots.pollId, pollIds)))
    .all();
  for (const r of rows) {
    const list = map.get(r.pollId) ?? [];
    list.push(r.optionId);
    map.set(r.pollId, list);
  }
  return map;
}

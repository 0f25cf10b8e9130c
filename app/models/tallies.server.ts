import { sql } from "drizzle-orm";
import { exec, prepared, rows, type DB } from "../../db/client";
import { tallies, tallyDaily } from "../../db/schema";

// Counters without a hot row (issue 25, decision 026). A vote inserts tally
// deltas; the integrator folds a poll's deltas into its counters (tallies,
// polls.voter_count) in one transaction, once per pass. A reader adds the
// deltas not yet folded, which are at most a pass's worth: it reads
// counters, never ballots, and sees every vote that has committed.

// Written as plain text: Drizzle leaves a column in a sql`` field unqualified,
// and inside the subquery it would name tally_deltas' own column.

/** A poll's voters as they stand: the folded counter and its pending deltas (select from polls). */
export const liveVoters = sql<number>`(polls.voter_count + coalesce((select sum(td.delta) from tally_deltas td where td.poll_id = polls.id and td.option_id is null), 0))`.mapWith(Number);

/** Of a poll's voters, the guests as they stand (select from polls). */
export const liveGuestVoters = sql<number>`(polls.guest_voter_count + coalesce((select sum(td.guest_delta) from tally_deltas td where td.poll_id = polls.id and td.option_id is null), 0))`.mapWith(Number);

/** Of an option's count, the guests' as it stands (select from tallies). */
export const liveGuestCount = sql<number>`(tallies.guest_count + coalesce((select sum(td.guest_delta) from tally_deltas td where td.poll_id = tallies.poll_id and td.option_id = tallies.option_id), 0))`.mapWith(Number);

/** An option's count as it stands (select from tallies). */
export const liveCount = sql<number>`(tallies.count + coalesce((select sum(td.delta) from tally_deltas td where td.poll_id = tallies.poll_id and td.option_id = tallies.option_id), 0))`.mapWith(Number);

// The day's roll-up row is the tallies as they stand after the fold, so the
// last fold of a day is that day's closing state.
const rollup = prepared("tallies.rollup", (c) =>
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
          voters: sql`(select p.voter_count from polls p where p.id = tallies.poll_id)`.as("voters"),
        })
        .from(tallies)
        .where(sql`${tallies.pollId} = ${sql.placeholder("pollId")}`),
    )
    .onConflictDoUpdate({
      target: [tallyDaily.pollId, tallyDaily.day, tallyDaily.optionId],
      set: { count: sql`excluded.count`, voters: sql`excluded.voters` },
    }),
);

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Inside the integrator's transaction: folds a poll's pending deltas into its
 * counters and rolls the day's row up. Answers how many deltas were folded.
 */
export async function foldTallyDeltas(tx: DB, pollId: number, now: number): Promise<number> {
  const folded = await rows<{ option_id: number | null; delta: number; guest_delta: number }>(
    tx,
    sql`delete from tally_deltas where poll_id = ${pollId} returning option_id, delta, guest_delta`,
  );
  if (folded.length === 0) return 0;
  const sums = new Map<number, { all: number; guests: number }>();
  for (const d of folded) {
    const key = d.option_id === null ? 0 : Number(d.option_id);
    const sum = sums.get(key) ?? { all: 0, guests: 0 };
    sum.all += Number(d.delta);
    sum.guests += Number(d.guest_delta);
    sums.set(key, sum);
  }
  for (const [optionId, { all, guests }] of [...sums].sort((a, b) => a[0] - b[0])) {
    if (all === 0 && guests === 0) continue;
    if (optionId === 0) await exec(tx, sql`update polls set voter_count = voter_count + ${all}, guest_voter_count = guest_voter_count + ${guests} where id = ${pollId}`);
    else await exec(tx, sql`update tallies set count = count + ${all}, guest_count = guest_count + ${guests} where option_id = ${optionId}`);
  }
  await rollup(tx).run({ pollId, day: utcDay(now) });
  return folded.length;
}

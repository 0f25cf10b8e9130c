import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { castVote, withdrawVote } from "../app/models/ballots.server";
import { transaction } from "../db/client";
import { users } from "../db/schema";
import { count, optionIds, pollId, recount, useFreshDatabase } from "./helpers";

const t = useFreshDatabase();

const POLLS = [
  { slug: "license-opinion", kind: "single" as const },
  // Its last option, "None of these", is exclusive: only on its own.
  { slug: "implications", kind: "multiple" as const, exclusive: 7 },
  { slug: "statement-misleading", kind: "scale" as const },
];

const op = fc.record({
  user: fc.integer({ min: 0, max: 7 }),
  poll: fc.integer({ min: 0, max: POLLS.length - 1 }),
  action: fc.constantFrom("vote", "vote", "vote", "withdraw"),
  // Indexes into the poll's options; some out of range on purpose.
  picks: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 4 }),
  scale: fc.integer({ min: 0, max: 6 }),
});

describe("tallies always equal a recount (property)", () => {
  it("holds after every cast, change and withdrawal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        const conn = t.db();
        for (const stmt of ["delete from ballots", "delete from tally_deltas", "delete from ballot_history", "delete from tally_daily", "update tallies set count = 0", "update polls set voter_count = 0", "delete from users"]) {
          await t.sql(stmt).run();
        }
        for (let i = 0; i < 8; i++) {
          await transaction((tx) => tx.insert(users).values({ id: `p${i}`, username: `prop${i}`, passwordHash: "x", createdAt: 0 }));
        }
        const ids = [];
        for (const p of POLLS) ids.push({ ...p, id: await pollId(conn, p.slug), options: await optionIds(conn, p.slug) });
        // The expected state, kept independently of the code under test.
        const expected = new Map<string, number[]>();
        let changes = 0;

        for (const o of ops) {
          const poll = ids[o.poll];
          const userId = `p${o.user}`;
          const key = `${userId}:${poll.id}`;
          const before = expected.get(key);
          if (o.action === "withdraw") {
            const res = await withdrawVote(userId, poll.id);
            expect(res).toEqual({ ok: true, withdrawn: before !== undefined });
            if (before) {
              expected.delete(key);
              changes++;
            }
          } else {
            const input =
              poll.kind === "scale"
                ? { scaleValue: o.scale }
                : { optionIds: o.picks.map((i) => poll.options[i] ?? 100000 + i) };
            const res = await castVote(userId, poll.id, input);
            const chosen = poll.kind === "scale" ? (o.scale >= 1 && o.scale <= 5 ? [poll.options[o.scale - 1]] : null) : o.picks.map((i) => poll.options[i]);
            const valid =
              chosen !== null &&
              chosen.every((x) => x !== undefined) &&
              (poll.kind === "multiple"
                ? chosen.length >= 1 && chosen.length <= 8 && !(chosen.length > 1 && "exclusive" in poll && o.picks.includes(poll.exclusive))
                : chosen.length === 1);
            expect(res.ok).toBe(valid);
            if (valid && chosen) {
              const same = before && before.length === chosen.length && chosen.every((c) => before.includes(c));
              if (!same) changes++;
              expected.set(key, chosen);
            }
          }
          const r = await recount(conn);
          expect(r.stored).toEqual(r.counted);
          expect(r.votersStored).toEqual(r.votersCounted);
          expect(await count(conn, "ballots")).toBe(expected.size);
          expect(await count(conn, "ballot_history")).toBe(changes);
        }
        // Each ballot holds exactly the expected choices.
        for (const [key, choices] of expected) {
          const [userId, pid] = key.split(":");
          const rows = (await t
            .sql("select c.option_id as id from ballots b join ballot_choices c on c.ballot_id = b.id where b.user_id = ? and b.poll_id = ? order by 1")
            .all(userId, Number(pid))) as { id: number }[];
          expect(rows.map((r) => r.id)).toEqual([...choices].sort((a, b) => a - b));
        }
        // Today's roll-up equals the tallies.
        const rollup = (await t.sql("select option_id as id, count from tally_daily order by option_id").all()) as { id: number; count: number }[];
        const tallies = new Map(((await t.sql("select option_id as id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies").all()) as { id: number; count: number }[]).map((x) => [x.id, x.count]));
        for (const row of rollup) expect(row.count).toBe(tallies.get(row.id));
      }),
      { numRuns: 60 },
    );
  });
});

// Issue 25: votes without a queue. 200 people answer one poll at once, each
// changing their answer several times through two servers on one database;
// every acknowledged vote is the ballot it left, every tally equals its
// ballots (before and after the integrator folds the deltas), and each
// person's log entries are numbered 1, 2, 3… without a gap.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { sqliteConnections } from "../db/client";
import { integratePending } from "../app/models/tlog.server";
import { verifyTopic } from "../scripts/results-verify";
import { Client, count, ENGINE, expectConsistent, makeUser, optionIds, pollId, startTestServer, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const PEOPLE = 200;
const ROUNDS = 4;

describe("votes without a queue (issue 25)", () => {
  it("200 people at once on one poll, each changing their answer through two servers: nothing lost, nothing counted twice", async () => {
    const other = await startTestServer();
    try {
      const opts = await optionIds(t.db(), "license-opinion");
      const poll = await pollId(t.db(), "license-opinion");
      const people = [];
      for (let i = 0; i < PEOPLE; i++) people.push(await makeUser(anon(), `wave${i}`));
      // What each person was last told succeeded, and how many changes were acknowledged.
      const last = new Map<string, number | null>();
      const changes = new Map<string, number>();
      await Promise.all(
        people.map(async ({ id, client }, i) => {
          let previous: number | null = null;
          for (let round = 0; round < ROUNDS; round++) {
            // Alternate servers, as a load balancer might send them.
            const via = round % 2 ? client : Object.assign(new Client(other.url), { cookies: client.cookies });
            const withdraw = i % 10 === 0 && round === ROUNDS - 1;
            const option = opts[(i + round) % opts.length];
            const res = await via.post(`${T}/p/license-opinion`, withdraw ? { intent: "withdraw" } : { intent: "vote", option: String(option) });
            expect(res.status, `person ${i}, round ${round}`).toBe(302);
            const now = withdraw ? null : option;
            if (now !== previous) changes.set(id, (changes.get(id) ?? 0) + 1);
            previous = now;
            last.set(id, now);
          }
        }),
      );
      // Every acknowledged vote is the ballot it left.
      const ballots = (await t.sql("select b.user_id as id, c.option_id as option from ballots b join ballot_choices c on c.ballot_id = b.id where b.poll_id = ?").all(poll)) as { id: string; option: number }[];
      const held = new Map(ballots.map((b) => [b.id, Number(b.option)]));
      for (const [id, option] of last) expect(held.get(id) ?? null, id).toBe(option);
      expect(await count(t.db(), "ballots")).toBe([...last.values()].filter((o) => o !== null).length);
      // Counters plus pending deltas equal the ballots, before the integrator runs…
      await expectConsistent(t.db(), expect);
      const shown = (await (await anon().get(`${T}/results.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as { polls: { slug: string; voters: number; options: { id: number; count: number }[] }[] };
      const opinion = shown.polls.find((p) => p.slug === "license-opinion")!;
      expect(opinion.voters).toBe(held.size);
      for (const o of opinion.options) expect(o.count, `option ${o.id}`).toBe(ballots.filter((b) => Number(b.option) === o.id).length);
      // …and after it folds them: no delta left, the counters alone equal the ballots.
      await integratePending("localhost");
      expect(await count(t.db(), "tally_deltas")).toBe(0);
      await expectConsistent(t.db(), expect);
      // One entry per acknowledged change, each person's numbered 1, 2, 3… with no gap or repeat.
      const entries = (await t.sql("select voter, entry from log_entries where poll_id = ? order by id").all(poll)) as { voter: string; entry: string }[];
      expect(entries).toHaveLength([...changes.values()].reduce((a, b) => a + b, 0));
      const numbers = new Map<string, number[]>();
      for (const e of entries) numbers.set(e.voter, [...(numbers.get(e.voter) ?? []), Number(e.entry.split(" ")[4])]);
      expect(numbers.size).toBe(PEOPLE);
      for (const ns of numbers.values()) expect([...ns].sort((a, b) => a - b)).toEqual(ns.map((_, k) => k + 1));
      // And from outside: the signed tree replays to the published counts.
      const report = await verifyTopic(anon().base, "llama-2-license");
      expect(report.ok, report.lines.join("\n")).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("a vote is two round trips on PostgreSQL, counted at the driver, and one short transaction on SQLite", async () => {
    const opts = await optionIds(t.db(), "license-opinion");
    const poll = await pollId(t.db(), "license-opinion");
    const { id } = await makeUser(anon(), "tripper");
    // The first vote of a process reads the pseudonym key once; count the ones after.
    expect((await castVote(id, poll, { optionIds: [opts[0]] })).ok).toBe(true);
    const sent: string[] = [];
    const counting = async (fn: () => Promise<unknown>) => {
      sent.length = 0;
      if (ENGINE === "pg") {
        const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
        const original = proto.query;
        proto.query = function (this: unknown, ...args: unknown[]) {
          const q = args[0] as string | { text: string };
          sent.push(typeof q === "string" ? q : q.text);
          return original.apply(this, args);
        };
        try {
          await fn();
        } finally {
          proto.query = original;
        }
      } else {
        const raw = sqliteConnections().writer.$client;
        const exec = raw.exec;
        raw.exec = (text: string) => {
          sent.push(text);
          return exec.call(raw, text);
        };
        try {
          await fn();
        } finally {
          raw.exec = exec;
        }
      }
      return [...sent];
    };
    const change = await counting(() => castVote(id, poll, { optionIds: [opts[1]] }));
    const same = await counting(() => castVote(id, poll, { optionIds: [opts[1]] }));
    if (ENGINE === "pg") {
      // One read of the poll and the ballot, one statement that writes; no BEGIN, no COMMIT, and no
      // NOTIFY (PostgreSQL queues notifying commits behind one lock: the integrator announces instead).
      expect(change.map((q) => q.trim().split(/\s+/)[0])).toEqual(["select", "with"]);
      expect(change.join("\n")).not.toMatch(/notify/i);
      // An answer that did not change reads once and writes nothing.
      expect(same.map((q) => q.trim().split(/\s+/)[0])).toEqual(["select"]);
    } else {
      expect(change).toEqual(["BEGIN IMMEDIATE", "COMMIT"]);
      expect(same).toEqual(["BEGIN IMMEDIATE", "COMMIT"]);
    }
  });
});

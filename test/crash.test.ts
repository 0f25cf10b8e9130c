import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { openSqlite } from "../db/client";
import { freshDatabaseFile, NODE_TS, optionIds, pollId, useFreshDatabase } from "./helpers";


function startServer(file: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(NODE_TS[0], [...NODE_TS[1], "server.ts"], {
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", DATABASE_PATH: file, LOG_REQUESTS: "false" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 30_000);
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
  });
}

function post(port: number, p: string, body: string, cookie: string): Promise<{ status: number; location: string } | null> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: p,
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), Cookie: cookie, Origin: `http://127.0.0.1:${port}` },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? "") }));
        res.on("error", () => resolve(null));
      },
    );
    req.on("error", () => resolve(null));
    req.end(body);
  });
}

describe("crash safety", () => {
  it("every vote that got a success response survives SIGKILL; tallies equal a recount; integrity ok", async () => {
    const file = freshDatabaseFile();
    const setup = openSqlite(file);
    const now = Date.now();
    const users: { id: string; cookie: string }[] = [];
    const insertUser = setup.$client.prepare("insert into users (id, username, password_hash, created_at) values (?, ?, 'x', ?)");
    const insertSession = setup.$client.prepare("insert into sessions (id, user_id, expires_at, created_at) values (?, ?, ?, ?)");
    setup.$client.transaction(() => {
      for (let i = 0; i < 200; i++) {
        const sid = crypto.randomBytes(20).toString("hex");
        insertUser.run(`c${i}`, `crash${i}`, now);
        insertSession.run(sid, `c${i}`, Math.floor(now / 1000) + 86400, now);
        users.push({ id: `c${i}`, cookie: `__Host-pulse_session=${sid}` });
      }
    })();
    const opts = (setup.$client.prepare("select o.id from poll_options o join polls p on p.id = o.poll_id where p.slug = 'license-opinion' order by o.position").all() as { id: number }[]).map((r) => r.id);
    setup.$client.close();

    const { child, port } = await startServer(file);
    const exited = new Promise((r) => child.on("exit", r));
    const ok: { userId: string; option: number }[] = [];
    let answered = 0;
    const requests = users.map(async (u, i) => {
      const option = opts[i % 4];
      const res = await post(port, "/t/llama-2-license/p/license-opinion", `intent=vote&option=${option}`, u.cookie);
      if (res) answered++;
      if (res?.status === 302 && res.location.includes("voted=license-opinion")) ok.push({ userId: u.id, option });
      if (answered === 100) child.kill("SIGKILL");
    });
    await Promise.all(requests);
    await exited;
    expect(ok.length).toBeGreaterThan(50);

    // Restart on the same file: it must open, migrate and serve.
    const again = await startServer(file);
    const res = await fetch(`http://127.0.0.1:${again.port}/t/llama-2-license/results.json`);
    const data = await res.json();
    const stopped = new Promise((r) => again.child.on("exit", r));
    again.child.kill("SIGTERM");
    await stopped;

    const conn = openSqlite(file);
    expect(conn.$client.pragma("integrity_check", { simple: true })).toBe("ok");
    const ballot = conn.$client.prepare("select c.option_id from ballots b join ballot_choices c on c.ballot_id = b.id join polls p on p.id = b.poll_id where p.slug = 'license-opinion' and b.user_id = ?");
    for (const v of ok) expect(ballot.pluck().get(v.userId), v.userId).toBe(v.option);
    const stored = conn.$client.prepare("select option_id as id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies order by option_id").all();
    const counted = conn.$client.prepare("select t.option_id as id, (select count(*) from ballot_choices c where c.option_id = t.option_id) as count from tallies t order by t.option_id").all();
    expect(stored).toEqual(counted);
    const voters = conn.$client.prepare("select voter_count + coalesce((select sum(d.delta) from tally_deltas d where d.poll_id = polls.id and d.option_id is null), 0) as voter_count from polls where slug = 'license-opinion'").pluck().get() as number;
    expect(voters).toBe(conn.$client.prepare("select count(*) from ballots b join polls p on p.id = b.poll_id where p.slug = 'license-opinion'").pluck().get());
    expect(voters).toBeGreaterThanOrEqual(ok.length);
    expect(data.polls[0].voters).toBe(voters);
    conn.$client.close();
  });
});

describe("backups", () => {
  const t = useFreshDatabase();

  it("npm run db:backup makes a consistent copy under write load that opens in Pulse", async () => {
    const conn = t.sqlite();
    const insertUser = conn.$client.prepare("insert into users (id, username, password_hash, created_at) values (?, ?, 'x', 0)");
    for (let i = 0; i < 3000; i++) insertUser.run(`b${i}`, `backup${i}`);
    const opts = await optionIds(conn, "license-opinion");
    const poll = await pollId(conn, "license-opinion");
    // Votes committed before the backup starts must all be in it, even while
    // they are only in the WAL (no checkpoint has copied them to the main file).
    conn.$client.pragma("wal_checkpoint(TRUNCATE)");
    conn.$client.pragma("wal_autocheckpoint = 0");
    for (let i = 0; i < 500; i++) expect((await castVote(`b${2999 - i}`, poll, { optionIds: [opts[i % 4]] })).ok).toBe(true);
    const before = conn.$client.prepare("select count(*) from ballots").pluck().get() as number;
    const target = path.join(path.dirname(t.file()), `backup-${process.pid}-${Date.now()}.db`);
    const child = spawn(NODE_TS[0], [...NODE_TS[1], "scripts/backup.ts", target], { env: { ...process.env, DATABASE_PATH: t.file() }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let running = true;
    const exit = new Promise<number | null>((r) =>
      child.on("exit", (code) => {
        running = false;
        r(code);
      }),
    );
    let writes = 0;
    while (running && writes < 2000) {
      const res = await castVote(`b${writes}`, poll, { optionIds: [opts[writes % 4]] });
      expect(res.ok).toBe(true);
      writes++;
      await new Promise((r) => setImmediate(r));
    }
    expect(await exit, out).toBe(0);
    expect(out).toContain("integrity ok");
    expect(writes).toBeGreaterThan(0);
    const copy = openSqlite(target);
    expect(copy.$client.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(copy.$client.prepare("select count(*) from ballots").pluck().get()).toBeGreaterThanOrEqual(before);
    const tallies = copy.$client.prepare("select option_id as id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies order by option_id").all();
    const counted = copy.$client.prepare("select t.option_id as id, (select count(*) from ballot_choices c where c.option_id = t.option_id) as count from tallies t order by t.option_id").all();
    expect(tallies).toEqual(counted);
    copy.$client.close();
    const { child: server, port } = await startServer(target);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/t/llama-2-license/results.json`)).status).toBe(200);
    const stopped = new Promise((r) => server.on("exit", r));
    server.kill("SIGTERM");
    await stopped;
    fs.rmSync(target, { force: true });
  });
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../db/client";
import { freshDatabaseFile, NODE_TS } from "./helpers";


function run(env: Record<string, string>) {
  const child = spawn(NODE_TS[0], [...NODE_TS[1], "server.ts"], {
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", LOG_REQUESTS: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  // A death by signal resolves with the signal's name, so a failure says how the process ended.
  const exited = new Promise<number | string | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const listening = async () => {
    for (let i = 0; i < 200; i++) {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) return Number(m[1]);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not start:\n${out}`);
  };
  return { child, exited, listening, output: () => out };
}

describe("the server process", () => {
  it("refuses to start on a bad setting and names the variable", async () => {
    const p = run({ PORT: "not-a-port" });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain("PORT");
  });

  it("migrates and seeds a new database file on first start, then shuts down on SIGTERM", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-proc-"));
    const file = path.join(dir, "nested", "pulse.db");
    const p = run({ DATABASE_PATH: file, PORT: "0" });
    const port = await p.listening();
    const res = await fetch(`http://127.0.0.1:${port}/t/llama-2-license`);
    expect(res.status).toBe(200);
    // An open keep-alive connection must not hold the shutdown up.
    const agentRes = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(agentRes.status).toBe(200);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain("stopped");
    expect(fs.existsSync(file)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a second start on the same file changes nothing (SIGINT works too)", async () => {
    const file = freshDatabaseFile();
    const snapshot = () => {
      const conn = openSqlite(file);
      const dump = JSON.stringify(["topics", "polls", "poll_options", "tallies", "__drizzle_migrations"].map((t) => conn.$client.prepare(`select * from ${t} order by 1`).all()));
      conn.$client.close();
      return dump;
    };
    const before = snapshot();
    const p = run({ DATABASE_PATH: file, PORT: "0" });
    await p.listening();
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
    expect(snapshot()).toBe(before);
  });
});

describe("session housekeeping", () => {
  it("deletes expired sessions at startup", async () => {
    const file = freshDatabaseFile();
    const { openSqlite } = await import("../db/client");
    const conn = openSqlite(file);
    conn.$client.prepare("insert into users (id, username, password_hash, created_at) values ('u1', 'old', 'x', 0)").run();
    conn.$client.prepare("insert into sessions (id, user_id, expires_at, created_at) values ('gone', 'u1', 1, 0), ('live', 'u1', ?, 0)").run(Math.floor(Date.now() / 1000) + 3600);
    conn.$client.close();
    const p = run({ DATABASE_PATH: file, PORT: "0" });
    await p.listening();
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    const after = openSqlite(file);
    expect(after.$client.prepare("select id from sessions order by id").pluck().all()).toEqual(["live"]);
    after.$client.close();
  });
});

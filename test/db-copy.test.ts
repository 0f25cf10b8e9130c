// npm run db:copy moves a community between engines (issue 11): SQLite ->
// PostgreSQL -> SQLite gives back every row exactly, ids and all.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getTopicResults } from "../app/models/results.server";
import { setDatabase } from "../db/client";
import { copyDatabase, TABLE_ORDER } from "../scripts/db-copy";
import { makeUser, optionIds, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const admin = new pg.Pool({ connectionString: inject("pgUrl"), max: 1 });
// Dropping a test database ends its sessions; an idle pool must not call that an error.
const quiet = (pool: pg.Pool) => pool.on("error", () => {});
quiet(admin);
const made: string[] = [];

async function newPgDatabase(): Promise<string> {
  const name = `copy_${process.pid}_${made.length}`;
  await admin.query(`create database ${name}`);
  made.push(name);
  const url = new URL(inject("pgUrl"));
  url.pathname = `/${name}`;
  return url.href;
}

// The databases go with the test run's PostgreSQL.
afterAll(() => admin.end());

/** Every row of every table, in key order, as JSON. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(TABLE_ORDER.map((table) => [table, db.prepare(`select * from "${table}" order by 1, 2`).all()]));
  } finally {
    db.close();
  }
}

/** A community with something in every table: votes changed and withdrawn, comments edited, voted, reported, removed. */
async function populate() {
  const a = await makeUser(anon(), "alice");
  const b = await makeUser(anon(), "bob");
  const mod = await makeUser(anon(), "mod", "moderator");
  const opts = await optionIds(t.db(), "license-opinion");
  await a.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
  await a.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[1]) });
  await b.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[2]) });
  await b.client.post(`${T}/p/statement-misleading`, { intent: "vote", value: "4" });
  await b.client.post(`${T}/p/implications`, { intent: "vote", option: (await optionIds(t.db(), "implications")).slice(0, 2).map(String) });
  await b.client.post(`${T}/p/statement-misleading`, { intent: "withdraw" });
  const { postComment } = await import("../app/models/comments.server");
  const first = await postComment({ userId: a.id, topicId: 1, pollId: null, parentId: null, body: "First *thoughts*", stanceOptionId: null }, Date.now() - 60_000);
  if (!first.ok) throw new Error("no comment");
  await postComment({ userId: b.id, topicId: 1, pollId: 1, parentId: null, body: "On the poll", stanceOptionId: opts[2] }, Date.now() - 30_000);
  await postComment({ userId: b.id, topicId: 1, pollId: null, parentId: first.id, body: "A reply", stanceOptionId: null });
  await a.client.post(`/c/${first.id}`, { intent: "edit", body: "First thoughts, edited" });
  await b.client.post(`/c/${first.id}`, { intent: "up" });
  await b.client.post(`/c/${first.id}`, { intent: "report", reason: "testing reports" });
  await mod.client.post(`/c/${first.id + 2}`, { intent: "remove", reason: "off topic" });
  await t.sql("update polls set visibility = 'after_close', closes_at = ? where slug = 'implications'").run(Date.now() - 1000);
  const { saveSiteText } = await import("../app/models/site-texts.server");
  await saveSiteText(a.id, "rules", "Be **kind**.");
  // Issue 13's tables: a mention, a muted kind, a follow, a visit, recovery codes and a reset link.
  await postComment({ userId: b.id, topicId: 1, pollId: null, parentId: null, body: "Hello @alice", stanceOptionId: null }, Date.now() + 10_000);
  await a.client.post("/settings", { intent: "notifications", kinds: ["reply", "mention"] });
  await a.client.post(`${T}?index`, { intent: "follow" });
  // A muted person (issue 23).
  await a.client.post("/u/bob", { intent: "mute" });
  await (await a.client.get(T)).arrayBuffer();
  const { newRecoveryCodes, issueResetLink } = await import("../app/models/recovery.server");
  await newRecoveryCodes(a.id);
  const admin = await makeUser(anon(), "boss", "admin");
  await issueResetLink(admin.id, b.id);
  // Issue 28: a rating of a seed statement.
  await b.client.post(`${T}/statements`, { intent: "rate", statement: "1", vote: "agree" });
  const { refreshOpinionMap } = await import("../app/models/opinion-map.server");
  await refreshOpinionMap(1);
  // Issue 25's tree: entries placed, hashes stored, a checkpoint signed.
  const { integratePending } = await import("../app/models/tlog.server");
  await integratePending("localhost");
  // A vote after it: tally deltas and an entry still pending.
  await a.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[2]) });
  // A hash-chained log from before the tree (read once at start, and copied like any table).
  await t.sql("insert into ballot_log (poll_id, seq, hour, voter, action, choices, prev, hash) values (1, 1, '2026-01-01T00:00Z', 'v', 'cast', '1', ?, ?)").run("0".repeat(64), "f".repeat(64));
  const counts = dump(t.file());
  for (const table of TABLE_ORDER.filter((x) => x !== "health_checks")) expect(counts[table].length, table).toBeGreaterThan(0);
}

describe("npm run db:copy", () => {
  it("SQLite -> PostgreSQL -> SQLite gives back every row, and new rows number after the copied ones", async () => {
    await populate();
    t.sqlite().$client.pragma("wal_checkpoint(TRUNCATE)");
    const original = dump(t.file());
    // The public results, computed by the same models on each engine, at one fixed moment.
    const now = Date.now();
    const results = async (target: string) => {
      setDatabase(target);
      return JSON.stringify(await getTopicResults("llama-2-license", now).then((r) => r?.data));
    };
    const onSqlite = await results(t.file());
    const url = await newPgDatabase();
    const lines: string[] = [];
    const there = await copyDatabase(t.file(), url, (l) => lines.push(l));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual([...TABLE_ORDER]);
    for (const table of TABLE_ORDER) expect(there[table], table).toBe(original[table].length);

    const back = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pulse-copy-")), "back.db");
    await copyDatabase(url, back);
    expect(dump(back)).toEqual(original);
    expect(await results(url)).toBe(onSqlite);
    expect(await results(back)).toBe(onSqlite);
    expect(onSqlite).toContain('"voters":2');
    setDatabase(t.file());

    // Identity columns continue after the copied ids.
    const pool = quiet(new pg.Pool({ connectionString: url, max: 1 }));
    const maxId = Math.max(...(original.topics as { id: number }[]).map((r) => r.id));
    const { rows } = await pool.query("insert into topics (slug, title, summary_md, summary_html, created_at, updated_at) values ('new', 'New', 'x', 'x', 0, 0) returning id");
    expect(rows[0].id).toBe(maxId + 1);
    await pool.end();
  });

  it("refuses a target that is not empty, and a failed copy leaves the target empty to try again", async () => {
    await populate();
    const url = await newPgDatabase();
    // The target already has its tables, and its last table refuses rows once.
    const pool = quiet(new pg.Pool({ connectionString: url, max: 1 }));
    try {
      await migrate(drizzle(pool), { migrationsFolder: path.resolve("migrations/pg") });
      await pool.query(`create function refuse() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$;
        create trigger refuse before insert on moderation_log for each statement execute function refuse();`);
      await expect(copyDatabase(t.file(), url)).rejects.toThrow("injected failure");
      for (const table of TABLE_ORDER) expect(Number((await pool.query(`select count(*) as n from "${table}"`)).rows[0].n), table).toBe(0);
      await pool.query("drop trigger refuse on moderation_log");
      await copyDatabase(t.file(), url);
      expect(Number((await pool.query("select count(*) as n from ballots")).rows[0].n)).toBe(dump(t.file()).ballots.length);
      await expect(copyDatabase(t.file(), url)).rejects.toThrow(/not empty/);
    } finally {
      await pool.end();
    }
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, inject } from "vitest";
import pg from "pg";
import { closeDatabase, db as appDb, engine, pgPool, setDatabase, sqliteConnections, type DB, type SqliteDB } from "../db/client";
import { parseConfig } from "../app/config.server";
import { listen } from "../server";
import { sourceBuild } from "./source-build";

let counter = 0;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-db-"));

/** Which engine this run of the suite is on (vitest.config.ts runs the integration suite once per engine). */
export const ENGINE: "sqlite" | "pg" = process.env.PULSE_TEST_ENGINE === "pg" ? "pg" : "sqlite";

/** A fresh copy of the migrated, seeded SQLite template. */
export function freshDatabaseFile(): string {
  const file = path.join(tmpRoot, `t-${process.pid}-${++counter}.db`);
  fs.copyFileSync(inject("templateDb"), file);
  return file;
}

/** A URL with another database name on the same PostgreSQL server. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let admin: pg.Pool | undefined;
/** A fresh PostgreSQL database, copied from the migrated, seeded template. */
export async function freshPgDatabase(): Promise<string> {
  admin ??= new pg.Pool({ connectionString: inject("pgUrl"), max: 2 });
  const name = `t_${process.pid}_${++counter}`;
  await admin.query(`create database ${name} template ${inject("pgTemplate")} strategy file_copy`);
  return withDatabase(inject("pgUrl"), name);
}

async function dropPgDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  // Not forced: every connection to it has closed. A failure only leaves it
  // to the run's PostgreSQL, which goes away after the run.
  await admin?.query(`drop database if exists ${name}`).catch(() => {});
}

/** A raw SQL statement on the open database, either engine, with `?` placeholders. */
export type Statement = {
  get(...params: unknown[]): Promise<any>;
  all(...params: unknown[]): Promise<any[]>;
  run(...params: unknown[]): Promise<number>;
  /** The first column instead of the row. */
  pluck(): { get(...params: unknown[]): Promise<any>; all(...params: unknown[]): Promise<any[]> };
};

export function rawSql(text: string): Statement {
  const rowsOf = async (params: unknown[]): Promise<any[]> => {
    if (engine() === "sqlite") {
      const stmt = sqliteConnections().writer.$client.prepare(text);
      return stmt.reader ? stmt.all(...params) : (stmt.run(...params), []);
    }
    let i = 0;
    const res = await pgPool().query(text.replace(/\?/g, () => `$${++i}`), params);
    return res.rows;
  };
  const first = (row: any) => (row === undefined ? undefined : Object.values(row)[0]);
  return {
    get: async (...params) => (await rowsOf(params))[0],
    all: (...params) => rowsOf(params),
    run: async (...params) => {
      if (engine() === "sqlite") return sqliteConnections().writer.$client.prepare(text).run(...params).changes;
      let i = 0;
      return (await pgPool().query(text.replace(/\?/g, () => `$${++i}`), params)).rowCount ?? 0;
    },
    pluck: () => ({
      get: async (...params) => first((await rowsOf(params))[0]),
      all: async (...params) => (await rowsOf(params)).map(first),
    }),
  };
}

/**
 * A number that grows with every write the database takes: SQLite's
 * total_changes() on the writing connection, PostgreSQL's next transaction
 * id (a transaction gets one only when it writes; the test server runs
 * without autovacuum, which could take one).
 */
export async function writeCount(): Promise<number> {
  if (engine() === "sqlite") return sqliteConnections().writer.$client.prepare("select total_changes() as n").pluck().get() as number;
  return Number(await rawSql("select txid_snapshot_xmax(txid_current_snapshot()) as n").pluck().get());
}

/**
 * Makes the open database refuse writes, as a full disk would: SQLite's
 * writer turns query_only; PostgreSQL makes new transactions read-only and
 * reopens the pool so every connection is new.
 */
export async function refuseWrites(refuse: boolean): Promise<void> {
  if (engine() === "sqlite") {
    sqliteConnections().writer.$client.pragma(`query_only = ${refuse ? "ON" : "OFF"}`);
    return;
  }
  const url = currentTarget;
  const name = new URL(url).pathname.slice(1);
  await pgPool().query(`begin read write; alter database ${name} set default_transaction_read_only = ${refuse ? "on" : "off"}; commit`);
  await closeDatabase();
  setDatabase(url);
}

/** The database useFreshDatabase opened for the running test. */
let currentTarget = "";

/** Gives every test in the file its own database (on this run's engine), opened as the app's connection. */
export function useFreshDatabase(): { db: () => DB; sqlite: () => SqliteDB; file: () => string; sql: (text: string) => Statement } {
  let file = "";
  let open = false;
  beforeEach(async () => {
    file = ENGINE === "pg" ? await freshPgDatabase() : freshDatabaseFile();
    setDatabase(file);
    currentTarget = file;
    open = true;
  });
  afterEach(async () => {
    open = false;
    await closeDatabase();
    if (ENGINE === "pg") await dropPgDatabase(file);
    else for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  });
  return {
    db: () => {
      if (!open) throw new Error("no database");
      return appDb();
    },
    /** The writing SQLite connection, for SQLite-only tests. */
    sqlite: () => sqliteConnections().writer,
    /** The SQLite file, or the PostgreSQL URL. */
    file: () => file,
    sql: rawSql,
  };
}

export type TestServer = { url: string; close: () => Promise<void> };

/** The real Express app on 127.0.0.1, on the database useFreshDatabase opened. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  // Limits are off unless a test is about them: suites sign up many people from one address.
  const cfg = parseConfig({ NODE_ENV: "test", LOG_REQUESTS: "false", RATE_LIMITS: "off", ...env });
  const { server, port } = await listen({ ...cfg, PORT: 0, HOST: "127.0.0.1" }, await sourceBuild());
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts a server for each test (after useFreshDatabase) and stops it after. */
export function useTestServer(env: Record<string, string> = {}): () => Client {
  let server: TestServer | undefined;
  beforeEach(async () => {
    server = await startTestServer(env);
  });
  afterEach(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error("no server");
    return new Client(server.url);
  };
}

/** A tiny browser-like HTTP client: keeps cookies, sends our Origin on writes. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  fork(): Client {
    return new Client(this.base);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(pathname: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", this.cookieHeader());
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && init.origin !== null) headers.set("Origin", init.origin ?? this.base);
    const res = await fetch(this.base + pathname, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(pathname: string, init: RequestInit = {}) {
    return this.request(pathname, init);
  }

  post(pathname: string, fields: Record<string, string | string[]>, init: RequestInit & { origin?: string | null } = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request(pathname, {
      ...init,
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...(init.headers ?? {}) },
    });
  }

  async signup(username: string, password = "correct horse battery"): Promise<Response> {
    return this.post("/signup", { username, password });
  }

  async login(username: string, password = "correct horse battery"): Promise<Response> {
    return this.post("/login", { username, password });
  }
}

export async function count(_conn: DB, table: string): Promise<number> {
  return Number(await rawSql(`select count(*) as n from ${table}`).pluck().get());
}

/** Rows per table, every table but the migrations' own. */
export async function allCounts(conn: DB): Promise<Record<string, number>> {
  const tables: string[] =
    engine() === "sqlite"
      ? await rawSql("select name from sqlite_master where type='table' and name not like 'sqlite_%' and name not like '__drizzle%'").pluck().all()
      : await rawSql("select tablename from pg_tables where schemaname = 'public' and tablename <> 'rate_limits'").pluck().all();
  const out: Record<string, number> = {};
  for (const t of tables.sort()) out[t] = await count(conn, t);
  return out;
}

// One real argon2id hash, reused so tests can make many users quickly.
let sharedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery";

/** Inserts a user directly (no HTTP, no per-user hashing) and returns a signed-in client. */
export async function makeUser(
  base: Client,
  username: string,
  role: "member" | "moderator" | "admin" = "member",
): Promise<{ id: string; client: Client }> {
  const { hashPassword } = await import("../app/models/users.server");
  const { startSession } = await import("../app/auth/session.server");
  const { transaction } = await import("../db/client");
  const { users } = await import("../db/schema");
  sharedHash ??= hashPassword(TEST_PASSWORD);
  const id = `u_${username}`;
  const passwordHash = await sharedHash;
  await transaction((tx) => tx.insert(users).values({ id, username, passwordHash, role, createdAt: Date.now() }));
  const cookie = await startSession(id);
  const client = base.fork();
  const [pair] = cookie.split(";");
  const eq = pair.indexOf("=");
  client.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  return { id, client };
}

export async function pollId(_conn: DB, slug: string): Promise<number> {
  return (await rawSql("select id from polls where slug = ?").get(slug)).id;
}

export async function optionIds(_conn: DB, slug: string): Promise<number[]> {
  return rawSql("select o.id from poll_options o join polls p on p.id = o.poll_id where p.slug = ? order by o.position").pluck().all(slug);
}

/** Tallies as stored vs. recounted from the ballots; voters likewise. */
export async function recount(_conn: DB) {
  const stored = await rawSql("select option_id as id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies order by option_id").all();
  const counted = await rawSql(
    // A ranked poll's counters hold first choices.
    `select t.option_id as id, (select count(*) from ballot_choices c where c.option_id = t.option_id and coalesce(c.rank, 1) = 1) as count
     from tallies t order by t.option_id`,
  ).all();
  const votersStored = await rawSql("select id, voter_count + coalesce((select sum(d.delta) from tally_deltas d where d.poll_id = polls.id and d.option_id is null), 0) as n from polls order by id").all();
  const votersCounted = await rawSql("select p.id, (select count(*) from ballots b where b.poll_id = p.id) as n from polls p order by p.id").all();
  return { stored, counted, votersStored, votersCounted };
}

export async function expectConsistent(conn: DB, expectFn: (a: unknown) => { toEqual: (b: unknown) => void }) {
  const r = await recount(conn);
  expectFn(r.stored).toEqual(r.counted);
  expectFn(r.votersStored).toEqual(r.votersCounted);
}

/**
 * Runs a TypeScript entry point in ONE node process (node --import tsx), so a
 * signal reaches the program itself: the tsx CLI would spawn a child that
 * SIGKILL leaves running.
 */
export const NODE_TS: [string, string[]] = [process.execPath, ["--import", "tsx"]];

let commentClock = Date.now() - 100_000_000;

/**
 * Posts a comment through the model as `userId`, each one a posting pace
 * apart on a clock of its own (or at `at`), so none is refused as too fast.
 */
export async function postAs(userId: string, body: string, opts: { topicId?: number; pollId?: number | null; parentId?: number | null; at?: number } = {}): Promise<number> {
  const { COMMENT_INTERVAL_MS, postComment } = await import("../app/models/comments.server");
  commentClock += COMMENT_INTERVAL_MS + 1;
  const res = await postComment({ userId, topicId: opts.topicId ?? 1, pollId: opts.pollId ?? null, parentId: opts.parentId ?? null, body, stanceOptionId: null }, opts.at ?? commentClock);
  if (!res.ok) throw new Error(res.message);
  return res.id;
}

/**
 * Undoes the seed's resolution of a prediction and reopens it, as an admin
 * could: for tests about voting on, and resolving, an open prediction.
 */
export async function reopenPrediction(slug = "llama-3-prediction"): Promise<void> {
  await rawSql("update polls set resolved_option_id = null, resolution_note = null, resolution_source_url = null, resolved_at = null, closes_at = null where slug = ?").run(slug);
  await rawSql("update data_versions set version = version + 1").run();
}

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type SQL } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { drizzle as pgDrizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as pgSchema from "./schema/pg";
import * as schema from "./schema/sqlite";
import { useTablesOf } from "./schema/index";

export type Engine = "sqlite" | "pg";

/**
 * The query builder models write with. On PostgreSQL the object is
 * node-postgres's Drizzle database, driven through the part both engines
 * share: queries are awaited, never `.all()`/`.get()`/`.run()`, and raw SQL
 * goes through `rows()` and `exec()` below (docs/decisions/013).
 */
export type DB = BetterSQLite3Database<typeof schema>;

/** A SQLite connection with its raw better-sqlite3 handle (scripts and SQLite-only tests). */
export type SqliteDB = DB & { $client: Database.Database };

type Open =
  | { engine: "sqlite"; reader: SqliteDB; writer: SqliteDB; queue: { tail: Promise<unknown> } }
  | { engine: "pg"; reader: DB; writer: DB; pool: pg.Pool; url: string; listeners: Map<string, Listener> };

type Listener = { ready: Promise<void>; stop: () => Promise<void> };

// The one open database of this process (server.ts loads the app once: issue 24).
let opened: Open | undefined;

export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//.test(target);

/** Opens a SQLite file with Pulse's settings. */
export function openSqlite(file: string, opts: { readOnly?: boolean } = {}): SqliteDB {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL is durable against a process crash in WAL mode; only an OS crash
  // or power loss may lose the last transactions (docs/decisions/002).
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // A write outside transaction() would block on the writer's lock with the
  // event loop stopped: the reading connection refuses writes instead.
  if (opts.readOnly) sqlite.pragma("query_only = ON");
  return drizzle(sqlite, { schema }) as SqliteDB;
}

// int8 (count(*), sums, bigint times) and numeric arrive as strings by
// default; every such value Pulse stores or computes is far below 2^53. Set
// on node-postgres's shared parsers, because Drizzle's queries fall back to
// those rather than to a pool's own.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

/** A node-postgres pool with Pulse's type parsing. */
export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its server is dropped and replaced; the error
  // must not crash the process.
  pool.on("error", (err) => console.error("postgres pool:", err.message));
  return pool;
}

/**
 * Opens `target` (a SQLite file, or a postgres:// URL) and makes it the
 * connection every model uses. SQLite gets two connections: one that reads
 * (committed data only, thanks to WAL) and one that writes, inside
 * transaction(). PostgreSQL gets a pool.
 */
export function setDatabase(target: string, opts: { poolSize?: number } = {}): Open {
  closeDatabase();
  let open: Open;
  if (isPostgresUrl(target)) {
    const pool = createPool(target, opts.poolSize);
    const conn = pgDrizzle(pool, { schema: pgSchema }) as unknown as DB;
    open = { engine: "pg", reader: conn, writer: conn, pool, url: target, listeners: new Map() };
  } else if (target === ":memory:") {
    const conn = openSqlite(target);
    open = { engine: "sqlite", reader: conn, writer: conn, queue: { tail: Promise.resolve() } };
  } else {
    const writer = openSqlite(target);
    open = { engine: "sqlite", writer, reader: openSqlite(target, { readOnly: true }), queue: { tail: Promise.resolve() } };
  }
  useTablesOf(open.engine);
  opened = open;
  return open;
}

function current(): Open {
  const open = opened;
  if (!open) throw new Error("Database not opened: call setDatabase() first");
  return open;
}

/** The connection for reads outside a transaction. */
export function db(): DB {
  return current().reader;
}

export function engine(): Engine {
  return current().engine;
}

/** The open PostgreSQL pool (LISTEN/NOTIFY, advisory locks, the rate-limit store). */
export function pgPool(): pg.Pool {
  const open = current();
  if (open.engine !== "pg") throw new Error("not on PostgreSQL");
  return open.pool;
}

/** The open SQLite connections (backup, maintenance). */
export function sqliteConnections(): { reader: SqliteDB; writer: SqliteDB } {
  const open = current();
  if (open.engine !== "sqlite") throw new Error("not on SQLite");
  return open;
}

export async function closeDatabase(): Promise<void> {
  const open = opened;
  opened = undefined;
  if (!open) return;
  if (open.engine === "pg") {
    await Promise.all([...open.listeners.values()].map((l) => l.stop()));
    await open.pool.end();
  } else {
    if (open.reader.$client.open) open.reader.$client.close();
    if (open.writer.$client.open) open.writer.$client.close();
  }
}

// SQLite has one writer: transactions take turns, in arrival order. The
// queue belongs to the connection, so a reopened database starts a new one.
function inTurn<T>(queue: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  const run = queue.tail.then(fn, fn);
  queue.tail = run.catch(() => {});
  return run;
}

/**
 * The one way models write. `fn` gets the transaction's connection and may
 * await queries on it; everything it writes commits together or not at all.
 *
 * PostgreSQL: a transaction on one pooled client, at the default READ
 * COMMITTED; models keep counts right with row-level increments, unique
 * indexes and by locking the row they change first.
 *
 * SQLite: better-sqlite3 is synchronous, and Drizzle's own transaction()
 * commits when the function returns, before anything it awaits has run.
 * Here the writer connection runs BEGIN IMMEDIATE, awaits the whole
 * function, then COMMIT; transactions queue for the writer, and reads on the
 * other connection see only what has committed.
 */
export async function transaction<T>(fn: (tx: DB) => Promise<T>): Promise<T> {
  const open = current();
  // Work registered with beforeCommit runs after fn, as the transaction's last statements.
  // Work registered with afterCommit runs once the transaction has committed (of its last attempt).
  let committed: Array<() => void> = [];
  const body = async (tx: DB) => {
    const hooks = new Map<string, (tx: DB) => Promise<unknown>>();
    pending.set(tx, hooks);
    committed = [];
    afterHooks.set(tx, committed);
    try {
      const out = await fn(tx);
      for (const key of [...hooks.keys()].sort()) await hooks.get(key)!(tx);
      return out;
    } finally {
      pending.delete(tx);
      afterHooks.delete(tx);
    }
  };
  const thenAnnounce = (out: T) => {
    for (const f of committed) {
      try {
        f();
      } catch (err) {
        console.error("after commit:", err);
      }
    }
    return out;
  };
  if (open.engine === "pg") {
    const run = () => (open.writer as unknown as { transaction: (f: (tx: DB) => Promise<T>) => Promise<T> }).transaction(body);
    // PostgreSQL may end one of two transactions that wait on each other
    // (a deadlock): nothing of it was written, so it runs again.
    for (let attempt = 1; ; attempt++) {
      try {
        return thenAnnounce(await run());
      } catch (err) {
        if (attempt >= 3 || !hasCode(err, ["40P01", "40001"])) throw err;
      }
    }
  }
  const raw = open.writer.$client;
  return inTurn(open.queue, async () => {
    raw.exec("BEGIN IMMEDIATE");
    try {
      const out = await body(open.writer);
      raw.exec("COMMIT");
      return out;
    } catch (err) {
      if (raw.inTransaction) raw.exec("ROLLBACK");
      throw err;
    }
  }).then(thenAnnounce);
}

const afterHooks = new WeakMap<DB, Array<() => void>>();

/** Runs `fn` after the transaction `tx` commits; never if it rolls back. For announcements, not for writes. */
export function afterCommit(tx: DB, fn: () => void): void {
  const list = afterHooks.get(tx);
  if (!list) throw new Error("afterCommit needs the transaction's own connection");
  list.push(fn);
}

const pending = new WeakMap<DB, Map<string, (tx: DB) => Promise<unknown>>>();

/**
 * Runs `fn` inside the transaction `tx` after its own work, just before
 * COMMIT, once per key however often it is asked, in the order of the keys.
 * Rows written here stay locked only for the commit itself, and taking them
 * in one order everywhere keeps such transactions from deadlocking.
 */
export function beforeCommit(tx: DB, key: string, fn: (tx: DB) => Promise<unknown>): void {
  const hooks = pending.get(tx);
  if (!hooks) throw new Error("beforeCommit needs the transaction's own connection");
  if (!hooks.has(key)) hooks.set(key, fn);
}

type Params = Record<string, unknown>;
type RowsOf<B> = Awaited<B> extends readonly unknown[] ? Awaited<B> : never;

/** A query built once per connection and run with named placeholders. */
export interface Statement<B> {
  all(params?: Params): Promise<RowsOf<B>>;
  get(params?: Params): Promise<RowsOf<B>[number] | undefined>;
  /** Runs a write and answers how many rows it changed. */
  run(params?: Params): Promise<number>;
}

// better-sqlite3's prepared queries answer at once through all/get/run;
// node-postgres's through execute (its `all` skips Drizzle's row mapping).
type Prepared = {
  all?: (p?: Params) => unknown[];
  get?: (p?: Params) => unknown;
  run?: (p?: Params) => { changes: number };
  execute: (p?: Params) => Promise<unknown>;
};

/**
 * Caches a prepared statement per connection, so hot paths skip query
 * building (30-80 µs each here). `build` returns the unprepared query; on
 * PostgreSQL the statement is also prepared by the server, once per pooled
 * connection, under `name`.
 */
export function prepared<B>(name: string, build: (conn: DB) => B): (conn?: DB) => Statement<B> {
  const cache = new WeakMap<DB, Statement<B>>();
  return (conn = db()) => {
    let stmt = cache.get(conn);
    if (stmt === undefined) {
      const p = (build(conn) as unknown as { prepare: (name: string) => Prepared }).prepare(`pulse_${name}`);
      stmt =
        engine() === "sqlite"
          ? {
              all: async (params) => p.all!(params) as RowsOf<B>,
              get: async (params) => p.get!(params) as RowsOf<B>[number] | undefined,
              run: async (params) => p.run!(params).changes,
            }
          : {
              all: async (params) => (await p.execute(params)) as RowsOf<B>,
              get: async (params) => ((await p.execute(params)) as RowsOf<B>)[0],
              run: async (params) => changes(await p.execute(params)),
            };
      cache.set(conn, stmt);
    }
    return stmt;
  };
}

/** Rows a raw SQL query returns, on either engine. */
export async function rows<T>(conn: DB, query: SQL): Promise<T[]> {
  if (engine() === "sqlite") return conn.all<T>(query);
  const res = (await (conn as unknown as { execute: (q: SQL) => Promise<{ rows: T[] }> }).execute(query)) as { rows: T[] };
  return res.rows;
}

/** Runs a raw SQL statement and answers how many rows it changed. */
export async function exec(conn: DB, query: SQL): Promise<number> {
  if (engine() === "sqlite") return conn.run(query).changes;
  return changes(await (conn as unknown as { execute: (q: SQL) => Promise<unknown> }).execute(query));
}

/** How many rows an awaited insert, update or delete (without returning) changed. */
export function changes(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return r.changes ?? r.rowCount ?? 0;
}

/** Whether the error, or one it wraps (Drizzle wraps the driver's), has one of these codes. */
function hasCode(err: unknown, codes: string[]): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && codes.includes(code)) return true;
  }
  return false;
}

/** A unique index refused the row: SQLite's SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL's 23505. */
export function isUniqueViolation(err: unknown): boolean {
  return hasCode(err, ["23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"]);
}

/**
 * On PostgreSQL, a SELECT that locks the rows it reads until the transaction
 * ends (FOR UPDATE), so two transactions changing the same thing take turns.
 * SQLite needs nothing: BEGIN IMMEDIATE already gave the writer the database.
 */
export function forUpdate<B>(query: B): B {
  return engine() === "pg" ? (query as unknown as { for: (s: string) => B }).for("update") : query;
}

/**
 * LISTENs on a PostgreSQL channel on a connection of its own (a pooled one
 * would be handed to other queries). A lost connection is reopened after a
 * second; notifications sent meanwhile are missed, which costs a live update,
 * never data. Idempotent per channel; closeDatabase() stops it.
 */
export function listen(channel: string, onPayload: (payload: string) => void): Promise<void> {
  const open = current();
  if (open.engine !== "pg") throw new Error("LISTEN needs PostgreSQL");
  const existing = open.listeners.get(channel);
  if (existing) return existing.ready;
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: open.url });
    c.on("notification", (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onPayload(msg.payload);
    });
    c.on("error", () => {
      client = null;
      void c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await c.connect();
    await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    if (stopped) await c.end();
    else client = c;
  };
  const ready = connect();
  open.listeners.set(channel, {
    ready,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await ready.catch(() => {});
      await client?.end().catch(() => {});
    },
  });
  return ready;
}

/**
 * Runs `fn` unless another instance is running the job under the same key
 * right now (a PostgreSQL advisory lock, tried, not waited for). On SQLite
 * there is one instance: it always runs. Answers whether it ran.
 */
export async function exclusively(key: number, fn: () => Promise<unknown>): Promise<boolean> {
  const open = current();
  if (open.engine === "sqlite") {
    await fn();
    return true;
  }
  const client = await open.pool.connect();
  try {
    const { rows: got } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [key]);
    if (!got[0].ok) return false;
    try {
      await fn();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [key]);
    }
    return true;
  } finally {
    client.release();
  }
}

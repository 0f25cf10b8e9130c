// The one open database of the process: SQLite's two connections or
// PostgreSQL's pool, and which engine it is.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
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

export type Open =
  | { engine: "sqlite"; reader: SqliteDB; writer: SqliteDB; queue: { tail: Promise<unknown> } }
  | { engine: "pg"; reader: DB; writer: DB; pool: pg.Pool; url: string; listeners: Map<string, Listener> };

export type Listener = { ready: Promise<void>; stop: () => Promise<void> };

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

export function current(): Open {
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

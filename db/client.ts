import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema/sqlite";

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

// The connection lives on globalThis because the Remix server build bundles
// its own copy of this module: server.ts, scripts and tests must all reach
// the one connection the routes use.
const holder = globalThis as unknown as { __pulseDb?: DB };

export function openDatabase(file: string): DB {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL is durable against a process crash in WAL mode; only an OS crash
  // or power loss may lose the last transactions (docs/decisions/002).
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return drizzle(sqlite, { schema }) as DB;
}

/** Opens `file` and makes it the connection every model uses. */
export function setDatabase(file: string): DB {
  closeDatabase();
  holder.__pulseDb = openDatabase(file);
  return holder.__pulseDb;
}

export function db(): DB {
  const current = holder.__pulseDb;
  if (!current) throw new Error("Database not opened: call setDatabase() first");
  return current;
}

export function closeDatabase(): void {
  const current = holder.__pulseDb;
  holder.__pulseDb = undefined;
  if (current?.$client.open) current.$client.close();
}

/** Thrown when a transaction's function returns a promise: its awaited part would run after COMMIT. */
export class AsyncTransactionError extends Error {
  constructor() {
    super("A SQLite transaction's function must be synchronous: what it awaits would run after COMMIT, outside the transaction.");
  }
}

/**
 * The one way models write atomically: BEGIN IMMEDIATE (the write lock up
 * front, so two writers never deadlock upgrading a read lock), the function,
 * COMMIT; ROLLBACK if it throws. better-sqlite3 transactions are synchronous,
 * so an `await` inside one would resume after COMMIT and its writes would
 * escape. A function that returns a promise is therefore refused: the
 * transaction rolls back and AsyncTransactionError is thrown.
 */
export function transaction<T>(fn: () => T): T {
  return db().transaction(
    () => {
      const out = fn();
      if (out !== null && typeof out === "object" && typeof (out as { then?: unknown }).then === "function") {
        // The promise may still reject later; nobody waits for it.
        (out as unknown as Promise<unknown>).catch(() => {});
        throw new AsyncTransactionError();
      }
      return out;
    },
    { behavior: "immediate" },
  );
}

/**
 * Caches a prepared statement per connection, so hot paths skip query
 * building (30-80 µs each here) and a swapped connection gets fresh ones.
 */
export function prepared<T>(build: (db: DB) => T): () => T {
  const cache = new WeakMap<DB, T>();
  return () => {
    const conn = db();
    let stmt = cache.get(conn);
    if (stmt === undefined) {
      stmt = build(conn);
      cache.set(conn, stmt);
    }
    return stmt;
  };
}

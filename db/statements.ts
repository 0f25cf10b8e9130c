// Queries both engines run alike: prepared statements, raw SQL, row locks.
import { type SQL } from "drizzle-orm";
import { db, engine, type DB } from "./connection";

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

/**
 * On PostgreSQL, a SELECT that locks the rows it reads until the transaction
 * ends (FOR UPDATE), so two transactions changing the same thing take turns.
 * SQLite needs nothing: BEGIN IMMEDIATE already gave the writer the database.
 */
export function forUpdate<B>(query: B): B {
  return engine() === "pg" ? (query as unknown as { for: (s: string) => B }).for("update") : query;
}

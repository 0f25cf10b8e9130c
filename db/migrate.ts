import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as pgDrizzle } from "drizzle-orm/node-postgres";
import { migrate as pgMigrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import { engine, pgPool, sqliteConnections, type SqliteDB } from "./client";

const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = path.resolve(here, "../migrations/sqlite");
export const pgMigrationsFolder = path.resolve(here, "../migrations/pg");

/**
 * SQLite changes a table's constraints only by rebuilding it (0016_ranked),
 * and dropping the old table with foreign keys on would cascade into every
 * table that points at it. The migrator runs in one transaction, where the
 * pragma is ignored, so foreign keys go off around it and every reference
 * is checked after.
 */
export function runMigrations(conn: SqliteDB): void {
  const raw = conn.$client;
  raw.pragma("foreign_keys = OFF");
  try {
    migrate(conn, { migrationsFolder });
    const broken = raw.pragma("foreign_key_check") as unknown[];
    if (broken.length > 0) throw new Error(`migrations left ${broken.length} broken references: ${JSON.stringify(broken.slice(0, 3))}`);
  } finally {
    raw.pragma("foreign_keys = ON");
  }
}

/** Any fixed number: the advisory lock every Pulse instance takes to migrate. */
export const MIGRATION_LOCK = 7_011_2024;

/**
 * Runs `fn` while holding a PostgreSQL session advisory lock, so instances
 * that start together take turns: the first migrates, the others wait, then
 * find nothing left to do.
 */
export async function underLock<T>(pool: pg.Pool, key: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [key]);
    try {
      return await fn(client);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [key]);
    }
  } finally {
    client.release();
  }
}

/** Migrates a PostgreSQL database under the migration lock. */
export async function runPgMigrations(pool: pg.Pool): Promise<void> {
  await underLock(pool, MIGRATION_LOCK, (client) => pgMigrate(pgDrizzle(client), { migrationsFolder: pgMigrationsFolder }));
}

/**
 * Migrates the open database, then runs `after` (the seed), as one step no
 * two instances take at once.
 */
export async function migrateOpenDatabase(after: () => Promise<void> = async () => {}): Promise<void> {
  if (engine() === "sqlite") {
    runMigrations(sqliteConnections().writer);
    await after();
    return;
  }
  const pool = pgPool();
  await underLock(pool, MIGRATION_LOCK, async (client) => {
    await pgMigrate(pgDrizzle(client), { migrationsFolder: pgMigrationsFolder });
    await after();
  });
}

import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as pgDrizzle } from "drizzle-orm/node-postgres";
import { migrate as pgMigrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import type { DB } from "./client";

const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = path.resolve(here, "../migrations/sqlite");
export const pgMigrationsFolder = path.resolve(here, "../migrations/pg");

export function runMigrations(conn: DB): void {
  migrate(conn, { migrationsFolder });
}

/** Any fixed number: the advisory lock every Pulse instance takes to migrate. */
const MIGRATION_LOCK = 7_011_2024;

/**
 * Migrates a PostgreSQL database under an advisory lock, so instances that
 * start together migrate once: the first applies the migrations, the others
 * wait for the lock, then find nothing left to do.
 */
export async function runPgMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await pgMigrate(pgDrizzle(client), { migrationsFolder: pgMigrationsFolder });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { DB } from "./client";

const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = path.resolve(here, "../migrations/sqlite");

export function runMigrations(conn: DB): void {
  migrate(conn, { migrationsFolder });
}

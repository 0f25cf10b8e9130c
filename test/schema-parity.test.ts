// The two engines' schemas cannot drift apart (issue 11): the drizzle schema
// modules are compared table by table, and so are the databases their
// migrations build, a real SQLite file and a real PostgreSQL.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { is, SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { getTableConfig as pgConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runPgMigrations } from "../db/migrate";
import * as pgSchema from "../db/schema/pg";
import * as sqliteSchema from "../db/schema/sqlite";

type Shape = {
  columns: Record<string, { type: string; notNull: boolean; primary: boolean; hasDefault: boolean }>;
  primaryKey: string[];
  indexes: Record<string, { unique: boolean; on: string[] }>;
  foreignKeys: string[];
  checks: string[];
};

/** A column type as a kind both engines share: SQLite stores times and booleans as integers. */
function kind(sqlType: string): string {
  const t = sqlType.toLowerCase();
  if (t === "boolean") return "boolean";
  if (t === "integer" || t === "bigint") return "integer";
  if (t === "real" || t === "double precision") return "real";
  if (t === "text") return "text";
  return t;
}

const indexColumn = (c: unknown) => (is(c, SQL) ? "expression" : (c as { name: string }).name);

function sqliteShape(table: SQLiteTable): Shape {
  const c = sqliteConfig(table);
  const columns: Shape["columns"] = {};
  for (const col of c.columns) {
    const type = (col as { mode?: string }).mode === "boolean" ? "boolean" : kind(col.getSQLType());
    // Drizzle counts any INTEGER PRIMARY KEY (a rowid alias) as defaulted; only
    // AUTOINCREMENT keys are meant to fill themselves, like PostgreSQL identities.
    const rowidOnly = col.primary && !(col as { autoIncrement?: boolean }).autoIncrement;
    columns[col.name] = { type, notNull: col.notNull, primary: col.primary, hasDefault: col.hasDefault && !rowidOnly };
  }
  return {
    columns,
    primaryKey: c.primaryKeys.flatMap((pk) => pk.columns.map((x) => x.name)),
    indexes: Object.fromEntries(c.indexes.map((i) => [i.config.name, { unique: i.config.unique, on: i.config.columns.map(indexColumn) }])),
    foreignKeys: c.foreignKeys.map((fk) => {
      const r = fk.reference();
      return `${r.columns.map((x) => x.name).join(",")}->${sqliteConfig(r.foreignTable).name}(${r.foreignColumns.map((x) => x.name).join(",")}) ${fk.onDelete ?? "no action"}`;
    }),
    checks: c.checks.map((k) => k.name),
  };
}

function pgShape(table: PgTable): Shape {
  const c = pgConfig(table);
  const columns: Shape["columns"] = {};
  for (const col of c.columns) {
    // An identity column is the twin of SQLite's autoincrement key: both fill themselves.
    const identity = (col as { generatedIdentity?: unknown }).generatedIdentity !== undefined;
    columns[col.name] = { type: kind(col.getSQLType()), notNull: col.notNull, primary: col.primary, hasDefault: col.hasDefault || identity };
  }
  return {
    columns,
    primaryKey: c.primaryKeys.flatMap((pk) => pk.columns.map((x) => x.name)),
    indexes: Object.fromEntries(c.indexes.map((i) => [i.config.name!, { unique: i.config.unique, on: i.config.columns.map(indexColumn) }])),
    foreignKeys: c.foreignKeys.map((fk) => {
      const r = fk.reference();
      return `${r.columns.map((x) => x.name).join(",")}->${pgConfig(r.foreignTable).name}(${r.foreignColumns.map((x) => x.name).join(",")}) ${fk.onDelete ?? "no action"}`;
    }),
    checks: c.checks.map((k) => k.name),
  };
}

const sqliteTables = Object.fromEntries(
  Object.values(sqliteSchema)
    .filter((t) => is(t, SQLiteTable))
    .map((t) => [sqliteConfig(t as SQLiteTable).name, sqliteShape(t as SQLiteTable)]),
);
const pgTables = Object.fromEntries(
  Object.values(pgSchema)
    .filter((t) => is(t, PgTable))
    .map((t) => [pgConfig(t as PgTable).name, pgShape(t as PgTable)]),
);

describe("the schema modules", () => {
  it("hold the same tables", () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    expect(Object.keys(sqliteTables).length).toBeGreaterThan(15);
  });

  for (const name of Object.keys(sqliteTables)) {
    it(`${name}: same columns, types, nullability, keys, indexes, foreign keys and checks`, () => {
      expect(pgTables[name]).toEqual(sqliteTables[name]);
    });
  }
});

describe("the databases their migrations build", () => {
  const admin = new pg.Pool({ connectionString: inject("pgUrl"), max: 1 });
  const name = `parity_${process.pid}`;
  const url = new URL(inject("pgUrl"));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 2 });
  afterAll(async () => {
    await pool.end();
    await admin.end();
  });

  it("have the same tables, columns, nullability and index names", async () => {
    await admin.query(`create database ${name}`);
    await migrate(drizzle(pool), { migrationsFolder: path.resolve("migrations/pg") });
    const live = new Database(inject("templateDb"), { readonly: true });
    const sqliteNames = (live.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' and name not like 'search_fts%' order by name").all() as { name: string }[]).map((r) => r.name);
    // rate_limits is PostgreSQL's alone (db/schema/pg-only.ts): SQLite keeps limits in process.
    const pgNames = (await pool.query("select table_name as name from information_schema.tables where table_schema = 'public' and table_name <> 'rate_limits' order by table_name")).rows.map((r) => r.name);
    expect(pgNames).toEqual(sqliteNames);
    for (const table of sqliteNames) {
      const sCols = (live.prepare(`select name, "notnull" as nn, pk from pragma_table_info(?) order by name`).all(table) as { name: string; nn: number; pk: number }[]).map((c) => `${c.name}:${c.nn || c.pk ? "not null" : "null"}`);
      const pCols = (
        // "search" is PostgreSQL's generated tsvector; SQLite keeps its search index in search_fts.
        await pool.query("select column_name as name, is_nullable from information_schema.columns where table_schema = 'public' and table_name = $1 and column_name <> 'search' order by column_name", [table])
      ).rows.map((c) => `${c.name}:${c.is_nullable === "NO" ? "not null" : "null"}`);
      expect(pCols, table).toEqual(sCols);
      const sIdx = (live.prepare("select name from sqlite_master where type = 'index' and tbl_name = ? and name not like 'sqlite_autoindex%' order by name").all(table) as { name: string }[]).map((r) => r.name);
      const pIdx = (
        await pool.query(
          `select i.relname as name from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
           join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'public' and t.relname = $1 and not x.indisprimary and i.relname not like '%\\_search' order by 1`,
          [table],
        )
      ).rows.map((r) => r.name);
      expect(pIdx, table).toEqual(sIdx);
    }
    live.close();
  });
});

describe("PostgreSQL migrations at startup", () => {
  it("three instances migrating at once migrate once, and all come up", async () => {
    const admin = new pg.Pool({ connectionString: inject("pgUrl"), max: 1 });
    admin.on("error", () => {});
    const name = `migrate_${process.pid}`;
    await admin.query(`create database ${name}`);
    const url = new URL(inject("pgUrl"));
    url.pathname = `/${name}`;
    const pools = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: url.href, max: 1 }));
    try {
      await Promise.all(pools.map((p) => runPgMigrations(p)));
      const applied = (await pools[0].query("select count(*) as n from drizzle.__drizzle_migrations")).rows[0].n;
      const journal = JSON.parse(fs.readFileSync(path.resolve("migrations/pg/meta/_journal.json"), "utf8")) as { entries: unknown[] };
      expect(Number(applied)).toBe(journal.entries.length);
    } finally {
      // The database goes with the test run's PostgreSQL.
      for (const p of pools) await p.end();
      await admin.end();
    }
  });
});

// npm run db:copy -- <from> <to>
// Copies every row of a Pulse database into an empty one, between engines:
// a SQLite file path or a postgres:// URL on either side. Ids, tallies,
// ballot history, sessions and revisions come across unchanged. The target
// is migrated first and must be empty; the rows are written in one
// transaction, so a copy that fails leaves the target empty and can simply be
// run again. Stop Pulse (or point it elsewhere) while copying.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { is, sql, type SQL } from "drizzle-orm";
import { drizzle as pgDrizzle } from "drizzle-orm/node-postgres";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { openSqlite, type SqliteDB } from "../db/client";
import { runMigrations, runPgMigrations } from "../db/migrate";
import * as pgSchema from "../db/schema/pg";
import * as sqliteSchema from "../db/schema/sqlite";

/** Parents before children, so every foreign key finds its row. */
export const TABLE_ORDER = [
  "users",
  "sessions",
  "topics",
  "polls",
  "poll_options",
  "tallies",
  "tally_deltas",
  "ballots",
  "ballot_choices",
  "ballot_history",
  "tally_daily",
  "comments",
  "comment_revisions",
  "comment_votes",
  "reports",
  "moderation_log",
  "health_checks",
  "data_versions",
  "site_texts",
  "notifications",
  "notification_mutes",
  "follows",
  "user_mutes",
  "topic_visits",
  "recovery_codes",
  "password_resets",
  "opinion_maps",
  "statements",
  "statement_votes",
  "ballot_log",
  "log_entries",
  "log_hashes",
  "log_checkpoints",
  "server_secrets",
  "doc_comparisons",
  "doc_versions",
  "doc_clauses",
  "doc_cells",
] as const;

const CHUNK = 1000;

type Row = Record<string, unknown>;

/** One side of a copy: reads rows in key order, or takes them in one transaction. */
interface Side {
  tables(): string[];
  count(table: string): Promise<number>;
  read(table: string): AsyncGenerator<Row[]>;
  begin(): Promise<void>;
  write(table: string, rows: Row[]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

function byName<T>(schema: Record<string, unknown>, isTable: (t: unknown) => boolean, name: (t: T) => string): Map<string, T> {
  return new Map(Object.values(schema).filter(isTable).map((t) => [name(t as T), t as T]));
}

const sqliteTables = byName<SQLiteTable>(sqliteSchema, (t) => is(t, SQLiteTable), (t) => sqliteTableConfig(t).name);
const pgTables = byName<PgTable>(pgSchema, (t) => is(t, PgTable), (t) => pgTableConfig(t).name);

/** Primary-key columns (the same names on both engines): the order rows are read in. */
function keyOrder(table: string): SQL {
  const c = pgTableConfig(pgTables.get(table)!);
  const keys = c.primaryKeys.length ? c.primaryKeys[0].columns.map((x) => x.name) : c.columns.filter((x) => x.primary).map((x) => x.name);
  return sql.raw(keys.map((k) => `"${k}"`).join(", "));
}

function sqliteSide(file: string): Side {
  const conn: SqliteDB = openSqlite(file);
  runMigrations(conn);
  return {
    tables: () => [...sqliteTables.keys()],
    count: async (table) => (conn.$client.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n,
    async *read(table) {
      const t = sqliteTables.get(table)!;
      for (let offset = 0; ; offset += CHUNK) {
        const rows = conn.select().from(t).orderBy(keyOrder(table)).limit(CHUNK).offset(offset).all() as Row[];
        if (rows.length) yield rows;
        if (rows.length < CHUNK) return;
      }
    },
    // Writes between awaits of the other side: an explicit transaction on this connection alone.
    begin: async () => void conn.$client.exec("BEGIN IMMEDIATE"),
    write: async (table, rows) => void conn.insert(sqliteTables.get(table)!).values(rows as never).run(),
    commit: async () => void conn.$client.exec("COMMIT"),
    rollback: async () => {
      if (conn.$client.inTransaction) conn.$client.exec("ROLLBACK");
    },
    close: async () => void conn.$client.close(),
  };
}

async function pgSide(url: string): Promise<Side> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await runPgMigrations(pool);
  const client = await pool.connect();
  const db = pgDrizzle(client);
  return {
    tables: () => [...pgTables.keys()],
    count: async (table) => Number((await client.query(`select count(*) as n from "${table}"`)).rows[0].n),
    async *read(table) {
      const t = pgTables.get(table)!;
      for (let offset = 0; ; offset += CHUNK) {
        const rows = (await db.select().from(t).orderBy(keyOrder(table)).limit(CHUNK).offset(offset)) as Row[];
        if (rows.length) yield rows;
        if (rows.length < CHUNK) return;
      }
    },
    begin: async () => void (await client.query("BEGIN")),
    write: async (table, rows) => void (await db.insert(pgTables.get(table)!).values(rows as never)),
    commit: async () => {
      // Rows came with their ids: identity columns continue after the largest.
      for (const [name, t] of pgTables) {
        for (const col of pgTableConfig(t).columns) {
          if ((col as { generatedIdentity?: unknown }).generatedIdentity === undefined) continue;
          await client.query(
            `select setval(pg_get_serial_sequence('"${name}"', '${col.name}'), coalesce((select max("${col.name}") from "${name}"), 0) + 1, false)`,
          );
        }
      }
      await client.query("COMMIT");
    },
    rollback: async () => void (await client.query("ROLLBACK")),
    close: async () => {
      client.release();
      await pool.end();
    },
  };
}

function rootMessage(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

const open = (where: string) => (/^postgres(ql)?:\/\//.test(where) ? pgSide(where) : Promise.resolve(sqliteSide(where)));

/** Copies `from` into `to`; returns the rows copied per table. Throws, leaving `to` empty, on any failure. */
export async function copyDatabase(from: string, to: string, log: (line: string) => void = () => {}): Promise<Record<string, number>> {
  const source = await open(from);
  const target = await open(to);
  try {
    for (const side of [source, target]) {
      const missing = side.tables().filter((t) => !(TABLE_ORDER as readonly string[]).includes(t));
      if (missing.length) throw new Error(`db:copy does not know the tables ${missing.join(", ")}: add them to TABLE_ORDER.`);
    }
    for (const table of TABLE_ORDER) {
      const n = await target.count(table);
      if (n > 0) throw new Error(`The target is not empty (${table} has ${n} rows). Copy into a new database.`);
    }
    const counts: Record<string, number> = {};
    await target.begin();
    try {
      for (const table of TABLE_ORDER) {
        counts[table] = 0;
        try {
          for await (const rows of source.read(table)) {
            await target.write(table, rows);
            counts[table] += rows.length;
          }
        } catch (err) {
          // Drizzle wraps the driver's error in "Failed query: <the whole insert>": say what the database said.
          throw new Error(`${table}: ${rootMessage(err)}`, { cause: err });
        }
        log(`${table.padEnd(18)} ${counts[table]}`);
      }
      await target.commit();
    } catch (err) {
      await target.rollback();
      throw err;
    }
    for (const table of TABLE_ORDER) {
      const n = await target.count(table);
      if (n !== counts[table]) throw new Error(`${table}: copied ${counts[table]} rows but the target holds ${n}.`);
    }
    return counts;
  } finally {
    await source.close();
    await target.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    console.error("usage: npm run db:copy -- <from> <to>   (each a SQLite file or a postgres:// URL)");
    process.exit(2);
  }
  copyDatabase(from, to, (line) => console.log(line))
    .then(() => console.log("copied"))
    .catch((err) => {
      console.error(`db:copy failed, the target is left empty: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}

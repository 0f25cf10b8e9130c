// npm run db:backup -- <file>
// A consistent online copy of the configured database, safe while the server runs
// (SQLite's backup API through better-sqlite3). Restore: stop Pulse, copy the
// backup over DATABASE_PATH (removing any -wal and -shm files beside it), start Pulse.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { config } from "../app/config.server";

const target = process.argv[2];
if (!target) {
  console.error("usage: npm run db:backup -- <file>");
  process.exit(2);
}
if (config().DATABASE_URL) {
  console.error("Pulse runs on PostgreSQL here (DATABASE_URL): back it up with pg_dump or your provider's backups (docs/scaling.md).");
  process.exit(2);
}
const source = config().DATABASE_PATH;
if (!fs.existsSync(source)) {
  console.error(`No database at ${source}`);
  process.exit(1);
}
if (fs.existsSync(target)) {
  console.error(`${target} exists; choose a new file name.`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
const db = new Database(source, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
try {
  const { totalPages } = await db.backup(target);
  const copy = new Database(target, { readonly: true });
  const check = copy.pragma("integrity_check", { simple: true });
  copy.close();
  if (check !== "ok") throw new Error(`integrity_check of the backup said: ${check}`);
  console.log(`Backed up ${source} to ${target} (${totalPages} pages, integrity ok).`);
} finally {
  db.close();
}

// npm run user:role -- <username> <member|moderator|admin>
// Makes the first admin (Pulse has no default admin and no password in the repository).
import path from "node:path";
import { config } from "../app/config.server";
import { setRoleByUsername } from "../app/models/users.server";
import { closeDatabase, isPostgresUrl, setDatabase } from "../db/client";
import { migrateOpenDatabase } from "../db/migrate";
import { ROLES, type Role } from "../db/schema/domain";

const [username, role] = process.argv.slice(2);
if (!username || !role || !(ROLES as readonly string[]).includes(role)) {
  console.error("usage: npm run user:role -- <username> <member|moderator|admin>");
  process.exit(2);
}
const cfg = config();
// Named in every answer: a wrong DATABASE_PATH otherwise reads as "no such user" (issue 23).
const target = cfg.DATABASE_URL ?? cfg.DATABASE_PATH;
const where = isPostgresUrl(target) ? `the PostgreSQL database ${new URL(target).host}${new URL(target).pathname}` : `the SQLite file ${path.resolve(target)}`;
setDatabase(target);
await migrateOpenDatabase();
const res = await setRoleByUsername(username, role as Role);
await closeDatabase();
if (!res.ok) {
  console.error(`${res.message} (looked in ${where}; set DATABASE_PATH or DATABASE_URL to the server's database)`);
  process.exit(1);
}
console.log(`${username} is now ${role}, in ${where}.`);

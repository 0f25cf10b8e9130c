// npm run user:role -- <username> <member|moderator|admin>
// Makes the first admin (Pulse has no default admin and no password in the repository).
import { config } from "../app/config.server";
import { setRoleByUsername } from "../app/models/users.server";
import { closeDatabase, setDatabase } from "../db/client";
import { migrateOpenDatabase } from "../db/migrate";
import { ROLES, type Role } from "../db/schema/domain";

const [username, role] = process.argv.slice(2);
if (!username || !role || !(ROLES as readonly string[]).includes(role)) {
  console.error("usage: npm run user:role -- <username> <member|moderator|admin>");
  process.exit(2);
}
setDatabase(config().DATABASE_URL ?? config().DATABASE_PATH);
await migrateOpenDatabase();
const res = await setRoleByUsername(username, role as Role);
await closeDatabase();
if (!res.ok) {
  console.error(res.message);
  process.exit(1);
}
console.log(`${username} is now ${role}.`);

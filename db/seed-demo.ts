// Demo users and activity for local development. Never runs by default:
//   npm run db:seed:demo
import { config } from "../app/config.server";
import { createUser } from "../app/models/users.server";
import { closeDatabase, setDatabase } from "./client";
import { runMigrations } from "./migrate";
import { seed } from "./seed";

const DEMO_PASSWORD = "demo password";

async function main() {
  const conn = setDatabase(config().DATABASE_PATH);
  runMigrations(conn);
  await seed();
  const names = ["demo_ada", "demo_grace", "demo_linus", "demo_margaret", "demo_ken"];
  for (const name of names) {
    const res = await createUser(name, DEMO_PASSWORD);
    console.log(res.ok ? `created ${name}` : `${name}: ${res.message}`);
  }
  console.log(`Demo users share the password "${DEMO_PASSWORD}".`);
  closeDatabase();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

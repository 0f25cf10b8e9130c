import { defineConfig } from "drizzle-kit";

// PostgreSQL's schema and migrations, the twin of drizzle.config.ts (SQLite).
export default defineConfig({
  dialect: "postgresql",
  schema: ["./db/schema/pg.ts", "./db/schema/pg-only.ts"],
  out: "./migrations/pg",
});

import { bigint, integer, pgTable, varchar } from "drizzle-orm/pg-core";

// Tables only PostgreSQL has. On SQLite, Pulse is one process and keeps these
// in memory; the schema-parity test leaves them out.

/** rate-limiter-flexible's store (RateLimiterPostgres): shared counts for every instance. */
export const rateLimits = pgTable("rate_limits", {
  key: varchar("key", { length: 255 }).primaryKey(),
  points: integer("points").notNull().default(0),
  expire: bigint("expire", { mode: "number" }),
});

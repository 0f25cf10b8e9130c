import { z } from "zod";

function isOrigin(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin === v.replace(/\/$/, "") && !u.username && !u.password;
  } catch {
    return false;
  }
}

// Every setting comes from the environment and is parsed exactly once, so a
// typo stops startup with the variable's name instead of failing later.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_PATH: z.string().min(1).default("./data/pulse.db"),
  // Set to a postgres:// URL to run on PostgreSQL instead of the SQLite file
  // (several instances may then share it; docs/scaling.md).
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^postgres(ql)?:\/\/./.test(v), "must be a postgres:// or postgresql:// URL")
    .transform((v) => v || undefined),
  // PostgreSQL connections each instance keeps open at most.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0", ""])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  SEED: z
    .enum(["true", "false", "1", "0", ""])
    .default("true")
    .transform((v) => v !== "false" && v !== "0"),
  // Off only for benchmarks and tests that are not about limits.
  RATE_LIMITS: z.enum(["on", "off"]).default("on"),
  // The site's own address: every absolute URL (feeds, Open Graph) and the
  // Host and Origin checks use it. Default: http://localhost:PORT.
  PUBLIC_ORIGIN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || isOrigin(v), "must be an origin such as https://pulse.example (scheme, host, optional port; no path)")
    .transform((v) => (v ? new URL(v).origin : undefined)),
  // Live-result streams held open at once, in total and per client address.
  MAX_STREAMS: z.coerce.number().int().min(1).default(5000),
  MAX_STREAMS_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  // How often a signed-in person's stream (the unread count) checks that its
  // session still stands: signing out everywhere, a password change or a ban
  // ends it within this time.
  STREAM_RECHECK_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  // Open TCP connections per client address (not applied with TRUST_PROXY: every
  // connection then comes from the proxy, which should cap them itself).
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
  // A request's headers, and the whole request, must arrive within these.
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  // /healthz proves the database takes writes at most this often (a tiny write).
  HEALTH_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).default(10_000),
  // On SQLite, /healthz says the database cannot take writes when the disk
  // holding it has less free space than this (MB): a one-row write may still
  // fit in reused WAL pages on a full disk, free space does not lie.
  HEALTH_MIN_FREE_MB: z.coerce.number().min(0).default(64),
  // How often the background job looks for opinion maps to recompute (decision 018); 0 turns it off.
  OPINION_MAP_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  // Memory for the finished pages served to anonymous readers (docs/caching.md); 0 turns the cache off.
  PAGE_CACHE_MB: z.coerce.number().min(0).max(65_536).default(64),
  // New guest answers a client address may give per poll per hour (issue 27;
  // docs/guests.md says what it means for a school or an office behind one address).
  GUEST_BALLOTS_PER_ADDRESS: z.coerce.number().int().min(1).default(60),
  // New guest answers across the whole site per hour, from every address.
  GUEST_BALLOTS_EVERYWHERE: z.coerce.number().int().min(1).default(6000),
  // Trust levels (issue 28, app/models/trust.server.ts): an account is new
  // until it is this many hours old and has this many comments accepted.
  NEW_ACCOUNT_HOURS: z.coerce.number().min(0).default(24),
  NEW_ACCOUNT_ACCEPTED: z.coerce.number().int().min(0).default(3),
  // While new: links per comment (a comment with any link waits for a
  // moderator), people mentioned per comment, comments per day.
  NEW_ACCOUNT_LINKS: z.coerce.number().int().min(0).default(2),
  NEW_ACCOUNT_MENTIONS: z.coerce.number().int().min(0).default(2),
  NEW_ACCOUNT_COMMENTS_PER_DAY: z.coerce.number().int().min(1).default(10),
  NEW_ACCOUNT_STATEMENTS_PER_DAY: z.coerce.number().int().min(1).default(3),
  // A member earns trusted after this many days and accepted comments, with none removed by a moderator.
  TRUSTED_AFTER_DAYS: z.coerce.number().min(0).default(30),
  TRUSTED_AFTER_COMMENTS: z.coerce.number().int().min(0).default(20),
  // Sites allowed to frame the embed pages (space- or comma-separated origins); empty: none.
  EMBED_ORIGINS: z
    .string()
    .default("")
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .refine((list) => list.every(isOrigin), "must be origins such as https://blog.example, separated by spaces or commas")
    .transform((list) => list.map((o) => new URL(o).origin)),
  LOG_REQUESTS: z
    .enum(["true", "false", "1", "0", ""])
    .default("true")
    .transform((v) => v !== "false" && v !== "0"),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The origins this Pulse answers to: PUBLIC_ORIGIN (or http://localhost:PORT),
 * and, when that is a loopback address, the other loopback names on the same
 * scheme and port, so http://127.0.0.1:3000 works in development too.
 */
export function allowedOrigins(cfg: Config, port: number): { publicOrigin: string; origins: Set<string>; hosts: Set<string> } {
  const publicOrigin = cfg.PUBLIC_ORIGIN ?? `http://localhost:${port}`;
  const url = new URL(publicOrigin);
  const origins = new Set([publicOrigin]);
  if (LOOPBACK.has(url.hostname)) {
    for (const name of LOOPBACK) origins.add(`${url.protocol}//${name}${url.port ? `:${url.port}` : ""}`);
  }
  return { publicOrigin, origins, hosts: new Set([...origins].map((o) => new URL(o).host)) };
}

// What the process needs from the app, handed over by the build's server
// entry (entry.server.tsx exports it as `pulse`). server.ts loads the build
// and nothing else: this is the one copy of the database, the event hubs and
// the caches the routes use (issue 24).
import { createLimits, take, type Limits } from "./auth/rate-limits.server";
import { isAllowedOrigin } from "./auth/origin.server";
import { authenticate, hasPersonalCookie } from "./auth/session.server";
import { allowedOrigins, config, ConfigError, parseConfig, type Config } from "./config.server";
import { startBackgroundJobs } from "./jobs/background.server";
import { sitePath } from "./lib/form.server";
import { backfillBallotLogs, ensureLogKeys } from "./models/ballot-log.server";
import { pageVersion } from "./models/data-versions.server";
import { noteFailure } from "./models/health.server";
import { drawPersonal, keptData } from "./overlay.server";
import { upgradeRecoveryDigests } from "./models/recovery.server";
import { closeAllStreams } from "./models/results-stream.server";
import { setTrustRules } from "./models/trust.server";
import { logHost, migrateChainsToTrees } from "./models/tlog.server";
import { closeDatabase, engine, pgPool, setDatabase } from "../db/client";
import { migrateOpenDatabase } from "../db/migrate";
import { seed } from "../db/seed";

/**
 * Opens the configured database (PostgreSQL if DATABASE_URL is set, else the
 * SQLite file), migrates it and, unless SEED=false, seeds it. On PostgreSQL
 * the whole step runs under an advisory lock: instances starting together
 * migrate and seed once.
 */
async function prepareDatabase(cfg: Config): Promise<void> {
  openDatabase(cfg);
  await migrateOpenDatabase(async () => {
    // Ballots cast before the public log existed get their log from history, once.
    await backfillBallotLogs();
    // The log's keys, made once; then hash-chained logs become the first entries of their poll's Merkle tree, once.
    await ensureLogKeys();
    await migrateChainsToTrees(logHost(cfg.PUBLIC_ORIGIN));
    // Recovery codes stored as bare digests are bound to their person, once.
    await upgradeRecoveryDigests();
    if (cfg.SEED) await seed();
  });
}

/** Opens the configured database as it is (a bench or a tool that migrated it already). */
function openDatabase(cfg: Pick<Config, "DATABASE_URL" | "DATABASE_PATH" | "DATABASE_POOL_SIZE">): void {
  setDatabase(cfg.DATABASE_URL ?? cfg.DATABASE_PATH, { poolSize: cfg.DATABASE_POOL_SIZE });
}

/** The rate limits for this process: in PostgreSQL when instances share one, else in memory; and new accounts' limits (trust levels). */
function limitsFor(cfg: Config): Limits {
  setTrustRules({
    newHours: cfg.NEW_ACCOUNT_HOURS,
    acceptedComments: cfg.NEW_ACCOUNT_ACCEPTED,
    maxLinks: cfg.NEW_ACCOUNT_LINKS,
    maxMentions: cfg.NEW_ACCOUNT_MENTIONS,
    commentsPerDay: cfg.NEW_ACCOUNT_COMMENTS_PER_DAY,
    statementsPerDay: cfg.NEW_ACCOUNT_STATEMENTS_PER_DAY,
    trustedDays: cfg.TRUSTED_AFTER_DAYS,
    trustedComments: cfg.TRUSTED_AFTER_COMMENTS,
  });
  return createLimits(cfg.RATE_LIMITS === "on", engine() === "pg" ? pgPool() : undefined, { guestPerAddress: cfg.GUEST_BALLOTS_PER_ADDRESS, guestEverywhere: cfg.GUEST_BALLOTS_EVERYWHERE });
}

export type Refusal = { retryAfter: number; message: string };

/** Takes a point from one of the limits every request passes; a refusal says how long to wait. */
async function admit(limits: Limits, which: "perAddress" | "perUserWrite", key: string, what: string): Promise<Refusal | null> {
  const failure = await take(limits, limits[which], key, what);
  return failure && { retryAfter: failure.retryAfter ?? 60, message: failure.message };
}

/** Reads the settings from the environment: the settings, or what is wrong with them. */
function loadConfig(): { ok: true; config: Config } | { ok: false; message: string } {
  try {
    return { ok: true, config: config() };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
}

/** What the server needs (server/contract.ts declares it; test/unit.structure.test.ts holds this to it). */
export const pulse = {
  loadConfig,
  parseConfig,
  allowedOrigins,
  prepareDatabase,
  openDatabase,
  closeDatabase,
  startBackgroundJobs,
  closeAllStreams,
  noteFailure,
  limitsFor,
  admit,
  authenticate,
  hasPersonalCookie,
  isAllowedOrigin,
  sitePath,
  pageVersion,
  drawPersonal,
  keptData,
};

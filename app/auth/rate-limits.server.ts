import type pg from "pg";
import { waitText } from "../lib/format";
import { fail, type Failure } from "../models/outcome";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

// Counters from rate-limiter-flexible. On SQLite one process serves Pulse and
// they live in memory (docs/decisions/006). With `shared` (a PostgreSQL pool,
// several instances) every limit that guards accounts and writes is counted
// in PostgreSQL, so ten failed sign-ins spread across instances still lock
// the account; the flood limit on every request stays per instance, because
// a database write per GET would cost more than the flood it stops
// (docs/decisions/013).

export type Limits = ReturnType<typeof createLimits>;
type Limiter = RateLimiterAbstract;

export function createLimits(enabled: boolean, shared?: pg.Pool, guests = { guestPerAddress: 60, guestEverywhere: 6000 }) {
  const local = (points: number, duration: number, blockDuration = 0): Limiter => new RateLimiterMemory({ points, duration, blockDuration });
  const make = (name: string, points: number, duration: number, blockDuration = 0): Limiter =>
    shared
      ? new RateLimiterPostgres({
          storeClient: shared,
          storeType: "pool",
          tableName: "rate_limits",
          // Created by the migrations (db/schema/pg-only.ts), not by the library at startup.
          tableCreated: true,
          keyPrefix: name,
          points,
          duration,
          blockDuration,
        })
      : local(points, duration, blockDuration);
  // Sized for a classroom or a conference hall behind one address
  // (docs/decisions/015): the per-address limits stop a script, not a crowd;
  // the per-account lock stops guessing; the site-wide ceiling stops a
  // script that spreads itself over many addresses.
  return {
    enabled,
    /** Every request but the fingerprinted build files, per client address: 1,200 a minute (per instance). */
    perAddress: local(1200, 60),
    /** Every non-GET request, per signed-in user: 60 a minute. */
    perUserWrite: make("write", 60, 60),
    /** Failed sign-ins per address: 100 an hour. A successful sign-in gives its point back. */
    loginPerAddress: make("login", 100, 3600),
    /** Failed sign-ins per account: after 10 in 15 minutes, locked for 15 minutes. */
    loginFailures: make("lock", 10, 15 * 60, 15 * 60),
    /**
     * Sign-up attempts per address, failed ones included (each "that name is
     * taken" costs an argon2 hash and tells whether a name exists): 60 an hour.
     */
    signupPerAddress: make("signup", 60, 3600),
    /** Sign-up attempts on the whole site, from every address: 600 an hour. */
    signupEverywhere: make("signup-all", 600, 3600),
    /** Failed recovery codes and reset links per address: 20 an hour. A success gives its point back. */
    recoveryPerAddress: make("recover", 20, 3600),
    /**
     * Failed recovery codes per account and address: after 5 in an hour, that
     * pair is locked for an hour. Not per account alone: anyone could then lock
     * anyone's recovery. Guessing needs no account-wide lock: ten codes of ~59
     * bits against 20 tries an hour per address is hopeless from any number
     * of addresses.
     */
    recoveryFailures: make("recover-lock", 5, 3600, 3600),
    /**
     * New guest ballots per address and poll (key `address|poll`): 60 an hour
     * by default (GUEST_BALLOTS_PER_ADDRESS). Changing or withdrawing one's
     * answer takes nothing: only a new guest does.
     */
    guestBallots: make("guest", guests.guestPerAddress, 3600),
    /** New guest ballots on the whole site, from every address (GUEST_BALLOTS_EVERYWHERE): 6,000 an hour by default. */
    guestBallotsEverywhere: make("guest-all", guests.guestEverywhere, 3600),
  };
}

function secondsOf(res: unknown): number {
  return res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 60;
}

/** The failure a spent limit answers: a 429 at the edge, with the seconds to wait. */
function limited(res: unknown, what: string): Failure {
  const s = secondsOf(res);
  return fail("rate_limited", `Too many ${what}. Try again ${waitText(s)}.`, undefined, s);
}

/** Takes a point; answers a `rate_limited` failure (with seconds to wait) when none is left. */
export async function take(limits: Limits, limiter: Limiter, key: string, what: string): Promise<Failure | null> {
  if (!limits.enabled) return null;
  try {
    await limiter.consume(key);
    return null;
  } catch (res) {
    if (res instanceof Error) throw res;
    return limited(res, what);
  }
}

/** Gives back a point taken for `key` (a sign-in that turned out to be right). */
export async function refund(limits: Limits, limiter: Limiter, key: string): Promise<void> {
  if (limits.enabled) await limiter.reward(key, 1);
}

/** A `rate_limited` failure when `key` has no points left, without taking one. */
export async function check(limits: Limits, limiter: Limiter, key: string, what: string): Promise<Failure | null> {
  if (!limits.enabled) return null;
  const res = await limiter.get(key);
  // An expired window may linger until its timer fires: it limits nothing.
  if (res && res.msBeforeNext > 0 && (res.remainingPoints <= 0 || res.consumedPoints > limiter.points)) return limited(res, what);
  return null;
}

export async function give(limits: Limits, limiter: Limiter, key: string): Promise<void> {
  if (limits.enabled) await limiter.delete(key);
}

/** A failed sign-in: the tenth within 15 minutes locks the account for 15 minutes. */
export async function recordLoginFailure(limits: Limits, account: string): Promise<void> {
  await recordFailure(limits, limits.loginFailures, account, 15 * 60);
}

/** A failure against an account's lock: the last point blocks the account for `blockSeconds`. */
export async function recordFailure(limits: Limits, limiter: Limiter, account: string, blockSeconds: number): Promise<void> {
  if (!limits.enabled) return;
  try {
    const res = await limiter.consume(account);
    if (res.remainingPoints <= 0) await limiter.block(account, blockSeconds);
  } catch (res) {
    if (res instanceof Error) throw res;
  }
}

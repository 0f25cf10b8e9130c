import crypto from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { db, forUpdate, transaction, type DB } from "../../db/client";
import { passwordResets, recoveryCodes, sessions, users } from "../../db/schema";
import { passwordProblem } from "../lib/common-passwords.server";
import { fail, type Failure, type Ok } from "./outcome";
import { logAction } from "./moderation-log.server";
import { serverSecret } from "./secrets.server";
import { hashPassword } from "./users.server";

// Getting back into an account without e-mail (decision 017): ten one-time
// recovery codes, and one-time reset links that an admin issues. The
// database holds digests, never a code or a token. A code's digest is bound
// to its person with a server key (issue 23): HMAC(key, "user id:SHA-256 of
// the code"), so one search through a stolen dump covers one person, not
// all of them.

export const RECOVERY_CODE_COUNT = 10;
export const RESET_LINK_TTL_MS = 24 * 3600 * 1000;
/**
 * The welcome page makes an account's first codes only this soon after the
 * account was made: sign-up lands there at once. Later, making codes takes
 * the password (settings), so a copied session cookie cannot mint codes
 * that outlive a password change.
 */
export const WELCOME_WINDOW_MS = 10 * 60 * 1000;

const CODE_KEY = "recovery_codes";
/** Digests bound to their person start with this; a bare SHA-256 is from before (upgraded at start). */
const BOUND = "h1:";

// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";

function randomCode(): string {
  const bytes = crypto.randomBytes(12);
  let s = "";
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  // 12 characters from 31 (~59 bits), as three groups of four.
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

const digest = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
/** Spaces, dashes and case do not matter when a code is typed back. */
const normalise = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "");
/** The stored form of a code's SHA-256, bound to its person. */
const bind = (key: Buffer, userId: string, sha: string) => BOUND + crypto.createHmac("sha256", key).update(`${userId}:${sha}`).digest("hex");
const codeDigest = async (tx: DB, userId: string, code: string) => bind(await serverSecret(tx, CODE_KEY), userId, digest(normalise(code)));

/** Replaces a person's codes with ten new ones, answered once here and never again. */
export async function newRecoveryCodes(userId: string): Promise<string[] | null> {
  return issueCodes(userId, false);
}

/**
 * The first codes of an account made in the last WELCOME_WINDOW_MS, that
 * never had any; null otherwise, and nothing is written.
 */
export async function firstRecoveryCodes(userId: string, now = Date.now()): Promise<string[] | null> {
  const [u] = await db().select({ createdAt: users.createdAt }).from(users).where(eq(users.id, userId));
  if (!u || now - u.createdAt > WELCOME_WINDOW_MS) return null;
  // Read first: a reload of the welcome page writes nothing.
  if ((await db().select({ u: recoveryCodes.userId }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).limit(1)).length > 0) return null;
  return issueCodes(userId, true);
}

async function issueCodes(userId: string, onlyIfNone: boolean): Promise<string[] | null> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomCode);
  const now = Date.now();
  return transaction(async (tx) => {
    // The user's row, locked: two tabs cannot both issue a first set.
    const [u] = await forUpdate(tx.select({ id: users.id }).from(users).where(eq(users.id, userId)));
    if (!u) return null;
    if (onlyIfNone) {
      const [any] = await tx.select({ n: sql<number>`count(*)` }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (Number(any.n) > 0) return null;
    }
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    const rows = [];
    for (const c of codes) rows.push({ userId, codeHash: await codeDigest(tx, userId, c), createdAt: now });
    await tx.insert(recoveryCodes).values(rows);
    return codes;
  });
}

/**
 * Codes stored before digests were bound to their person: each bare SHA-256
 * becomes its bound form (the code itself is not needed for that). Runs at
 * start, under the migration lock; a second run finds nothing to do.
 */
export async function upgradeRecoveryDigests(): Promise<number> {
  return transaction(async (tx) => {
    const old = await tx.select({ userId: recoveryCodes.userId, codeHash: recoveryCodes.codeHash }).from(recoveryCodes).where(sql`${recoveryCodes.codeHash} not like 'h1:%'`);
    if (old.length === 0) return 0;
    const key = await serverSecret(tx, CODE_KEY);
    for (const r of old) {
      await tx
        .update(recoveryCodes)
        .set({ codeHash: bind(key, r.userId, r.codeHash) })
        .where(and(eq(recoveryCodes.userId, r.userId), eq(recoveryCodes.codeHash, r.codeHash)));
    }
    return old.length;
  });
}

/** Unused codes a person has left. */
export async function recoveryCodesLeft(userId: string): Promise<number> {
  const [r] = await db()
    .select({ n: sql<number>`count(*)` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(r.n);
}

/** Inside the recovery's transaction: the new password, and every session ends with the old one. */
async function replacePassword(tx: DB, userId: string, hash: string) {
  await tx.update(users).set({ passwordHash: hash }).where(eq(users.id, userId));
  await tx.delete(sessions).where(eq(sessions.userId, userId));
}

/**
 * Spends one recovery code: sets the new password and ends every session,
 * in one transaction. A wrong, used or unknown code changes nothing. The code
 * is checked before the password, so the answer for a wrong code is the same
 * whether or not the name exists (issue 23): only someone holding a right
 * code hears about the password.
 */
export async function recoverWithCode(username: string, code: string, password: string): Promise<Ok<{ userId: string; left: number }> | Failure> {
  const [u] = await db()
    .select({ id: users.id, username: users.username, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.trim().toLowerCase()));
  const wrong = fail("invalid", "That username and recovery code do not match an unused code.", "code");
  if (!u || u.deletedAt !== null || normalise(code).length !== 12) return wrong;
  const unused = (codeHash: string) => and(eq(recoveryCodes.userId, u.id), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt));
  const codeHash = await transaction((tx) => codeDigest(tx, u.id, code));
  const [held] = await db().select({ u: recoveryCodes.userId }).from(recoveryCodes).where(unused(codeHash));
  if (!held) return wrong;
  const problem = passwordProblem(password, u.username);
  if (problem) return fail("invalid", problem, "password");
  const hash = await hashPassword(password);
  return transaction(async (tx): Promise<Ok<{ userId: string; left: number }> | Failure> => {
    const spent = await tx.update(recoveryCodes).set({ usedAt: Date.now() }).where(unused(codeHash)).returning({ userId: recoveryCodes.userId });
    if (spent.length === 0) return wrong;
    await replacePassword(tx, u.id, hash);
    const [left] = await tx
      .select({ n: sql<number>`count(*)` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, u.id), isNull(recoveryCodes.usedAt)));
    return { ok: true, userId: u.id, left: Number(left.n) };
  });
}

/** An admin's one-time reset link for a named person, valid for 24 hours; logged. Answers the token, shown once. */
export async function issueResetLink(adminId: string, userId: string, now = Date.now()): Promise<Ok<{ token: string; username: string; expiresAt: number }> | Failure> {
  const token = crypto.randomBytes(24).toString("base64url");
  return transaction(async (tx): Promise<Ok<{ token: string; username: string; expiresAt: number }> | Failure> => {
    const [u] = await tx.select({ id: users.id, username: users.username, deletedAt: users.deletedAt }).from(users).where(eq(users.id, userId));
    if (!u) return fail("not_found", "No such person.");
    if (u.deletedAt !== null) return fail("conflict", "This account was deleted.");
    // A new link makes the person's older unused links worthless.
    await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
    const expiresAt = now + RESET_LINK_TTL_MS;
    await tx.insert(passwordResets).values({ tokenHash: digest(token), userId, createdBy: adminId, createdAt: now, expiresAt });
    await logAction(tx, adminId, "user.reset_link", "user", userId, null, { expiresAt: new Date(expiresAt).toISOString() });
    return { ok: true, token, username: u.username, expiresAt };
  });
}

/** Whose valid link this is (for the form), or null when it is unknown, used or expired. */
export async function resetLinkOwner(token: string, now = Date.now()): Promise<{ username: string } | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
  const [r] = await db()
    .select({ username: users.username })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, digest(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now), isNull(users.deletedAt)));
  return r ?? null;
}

/** Spends a reset link: the new password is set and every session ends, in one transaction. */
export async function resetWithLink(token: string, password: string, now = Date.now()): Promise<Ok<{ userId: string }> | Failure> {
  const owner = await resetLinkOwner(token, now);
  const gone = fail("not_found", "This reset link is not valid: it was used, it expired, or it was never issued.");
  if (!owner) return gone;
  const problem = passwordProblem(password, owner.username);
  if (problem) return fail("invalid", problem, "password");
  const hash = await hashPassword(password);
  return transaction(async (tx): Promise<Ok<{ userId: string }> | Failure> => {
    const spent = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.tokenHash, digest(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
      .returning({ userId: passwordResets.userId });
    if (spent.length === 0) return gone;
    const userId = spent[0].userId;
    await replacePassword(tx, userId, hash);
    return { ok: true, userId };
  });
}

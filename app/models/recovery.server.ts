import crypto from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { db, forUpdate, transaction, type DB } from "../../db/client";
import { passwordResets, recoveryCodes, sessions, users } from "../../db/schema";
import { guessablePassword, isCommonPassword } from "../lib/common-passwords.server";
import { fail, type Failure, type Ok } from "./outcome";
import { logAction } from "./reports.server";
import { hashPassword } from "./users.server";

// Getting back into an account without e-mail (decision 017): ten one-time
// recovery codes, and one-time reset links that an admin issues. Codes and
// tokens are random and long, so a SHA-256 digest stores them safely; the
// digest, never the code, is what the database holds.

export const RECOVERY_CODE_COUNT = 10;
export const RESET_LINK_TTL_MS = 24 * 3600 * 1000;

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

/** Replaces a person's codes with ten new ones, answered once here and never again. */
export async function newRecoveryCodes(userId: string, opts: { onlyIfNone?: boolean } = {}): Promise<string[] | null> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomCode);
  const now = Date.now();
  // Read first: a reload of the welcome page writes nothing.
  if (opts.onlyIfNone && (await db().select({ u: recoveryCodes.userId }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).limit(1)).length > 0) return null;
  return transaction(async (tx) => {
    // The user's row, locked: two tabs cannot both issue a first set.
    const [u] = await forUpdate(tx.select({ id: users.id }).from(users).where(eq(users.id, userId)));
    if (!u) return null;
    if (opts.onlyIfNone) {
      const [any] = await tx.select({ n: sql<number>`count(*)` }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (Number(any.n) > 0) return null;
    }
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId, codeHash: digest(normalise(c)), createdAt: now })));
    return codes;
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

function passwordProblem(password: string, username: string): string | null {
  if (password.length < 8) return "Use at least 8 characters.";
  if (password.length > 256) return "Use at most 256 characters.";
  if (isCommonPassword(password)) return "This is one of the 10,000 most common passwords, or one with digits added; choose another.";
  return guessablePassword(password, username);
}

/**
 * Spends one recovery code: sets the new password and ends every session,
 * in one transaction. A wrong, used or unknown code changes nothing.
 */
export async function recoverWithCode(username: string, code: string, password: string): Promise<Ok<{ userId: string; left: number }> | Failure> {
  const [u] = await db()
    .select({ id: users.id, username: users.username, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.trim().toLowerCase()));
  const codeHash = digest(normalise(code));
  const wrong = fail("invalid", "That username and recovery code do not match an unused code.", "code");
  if (!u || u.deletedAt !== null || normalise(code).length !== 12) return wrong;
  const problem = passwordProblem(password, u.username);
  if (problem) return fail("invalid", problem, "password");
  const hash = await hashPassword(password);
  return transaction(async (tx): Promise<Ok<{ userId: string; left: number }> | Failure> => {
    const spent = await tx
      .update(recoveryCodes)
      .set({ usedAt: Date.now() })
      .where(and(eq(recoveryCodes.userId, u.id), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId });
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

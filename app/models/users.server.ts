import { hash, verify } from "@node-rs/argon2";
import { eq, sql } from "drizzle-orm";
import crypto from "node:crypto";
import { db, prepared } from "../../db/client";
import { users } from "../../db/schema/sqlite";
import { fail, type Failure, type Ok } from "./outcome";

export type { Role } from "../../db/schema/domain";

// OWASP's argon2id minimum: m=19456 KiB, t=2, p=1.
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verified against when the user does not exist, so a wrong username costs
// as much time as a wrong password and does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

export async function createUser(username: string, password: string): Promise<Ok<{ userId: string }> | Failure> {
  const passwordHash = await hashPassword(password);
  // 80 random bits; Lucia stays inside app/auth.
  const id = crypto.randomBytes(10).toString("hex");
  try {
    db().insert(users).values({ id, username, passwordHash, createdAt: Date.now() }).run();
  } catch (err) {
    if (isUniqueViolation(err)) {
      return fail("invalid", "That username is taken.", "username");
    }
    throw err;
  }
  return { ok: true, userId: id };
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    (err as { code: string }).code === "SQLITE_CONSTRAINT_UNIQUE"
  );
}

const byUsername = prepared((conn) =>
  conn
    .select({ id: users.id, passwordHash: users.passwordHash, deletedAt: users.deletedAt, banned: users.banned })
    .from(users)
    .where(eq(sql`lower(${users.username})`, sql.placeholder("username")))
    .prepare(),
);

/** The user id when the credentials match a live account; `banned` says it may not sign in. */
export async function verifyCredentials(username: string, password: string): Promise<{ userId: string; banned: boolean } | null> {
  const row = byUsername().get({ username: username.toLowerCase() });
  if (!row || row.deletedAt !== null) {
    dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(row.passwordHash, password).catch(() => false);
  return ok ? { userId: row.id, banned: row.banned } : null;
}

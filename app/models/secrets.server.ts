import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterCommit, db, type DB } from "../../db/client";
import { serverSecrets } from "../../db/schema";

// Keys every instance shares: 32 random bytes per name, made by whichever
// instance asks first (insert-if-absent) and never published.

const kept = new WeakMap<DB, Map<string, Buffer>>();

/**
 * The named key, inside the caller's transaction. A key this transaction made
 * is remembered only once it commits: were the transaction rolled back (a
 * deadlock's retry), a key kept in memory but never stored would give this
 * process digests no other instance computes.
 */
export async function serverSecret(tx: DB, name: string): Promise<Buffer> {
  const cache = kept.get(db()) ?? new Map<string, Buffer>();
  kept.set(db(), cache);
  const known = cache.get(name);
  if (known) return known;
  const made = await tx
    .insert(serverSecrets)
    .values({ name, value: randomBytes(32).toString("hex") })
    .onConflictDoNothing()
    .returning({ value: serverSecrets.value });
  if (made.length) {
    const key = Buffer.from(made[0].value, "hex");
    afterCommit(tx, () => cache.set(name, key));
    return key;
  }
  const [row] = await tx.select({ value: serverSecrets.value }).from(serverSecrets).where(eq(serverSecrets.name, name));
  const key = Buffer.from(row.value, "hex");
  cache.set(name, key);
  return key;
}

/** The named key if it exists, read without writing (a GET may not make one); null before anything asked for it. */
export async function knownSecret(name: string): Promise<Buffer | null> {
  const cache = kept.get(db());
  const known = cache?.get(name);
  if (known) return known;
  const [row] = await db().select({ value: serverSecrets.value }).from(serverSecrets).where(eq(serverSecrets.name, name));
  if (!row) return null;
  // A committed key never changes: keep it, as serverSecret does.
  const key = Buffer.from(row.value, "hex");
  const map = cache ?? new Map<string, Buffer>();
  kept.set(db(), map);
  map.set(name, key);
  return key;
}

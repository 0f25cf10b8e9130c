import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { sql } from "drizzle-orm";
import { users } from "../../db/schema";

// Guests (issue 27, decision 029): one browser that answers where a poll
// allows it, without an account. A guest is a row of `users` that can never
// sign in (no password, a name no sign-up accepts), so ballots, their
// history, the log and its receipts treat guests as they treat members. The
// browser holds a random token; the row's id is derived from it, so the
// cookie alone says who the guest is and nothing is looked up to find them.

const PREFIX = "g_";

/** Whether a voter id is a guest's: a member's id is hex (users.server.ts) and never holds an underscore. */
export const isGuestId = (id: string): boolean => id.startsWith(PREFIX);

/** The guest id a cookie's token stands for; null for anything that is not a token Pulse makes. */
export function guestIdOf(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
  return PREFIX + createHash("sha256").update(token).digest("hex").slice(0, 32);
}

const known = new LRUCache<string, true>({ max: 10_000 });

/**
 * The guest row a first answer makes, in the same write as the ballot, so a
 * refused answer writes nothing; null when this process knows the row is
 * there. `~` is outside every name a sign-up accepts: no one can take or
 * mention a guest's name.
 */
export function guestRowFor(voterId: string): { id: string; username: string } | null {
  if (!isGuestId(voterId) || known.has(voterId)) return null;
  return { id: voterId, username: `guest~${voterId.slice(PREFIX.length)}` };
}

/** The row is there (its answer was written). */
export const guestRowMade = (guestId: string) => void known.set(guestId, true);

/** SQL that leaves guests out of lists of people (admin's user list). */
export const notGuest = sql`substr(${users.id}, 1, 2) <> ${PREFIX}`;

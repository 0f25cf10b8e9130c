// How models write: one transaction at a time on SQLite's writer, a pooled
// client's transaction on PostgreSQL, with work hooked before and after commit.
import { current, type DB } from "./connection";

// SQLite has one writer: transactions take turns, in arrival order. The
// queue belongs to the connection, so a reopened database starts a new one.
function inTurn<T>(queue: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  const run = queue.tail.then(fn, fn);
  queue.tail = run.catch(() => {});
  return run;
}

/**
 * The one way models write. `fn` gets the transaction's connection and may
 * await queries on it; everything it writes commits together or not at all.
 *
 * PostgreSQL: a transaction on one pooled client, at the default READ
 * COMMITTED; models keep counts right with row-level increments, unique
 * indexes and by locking the row they change first.
 *
 * SQLite: better-sqlite3 is synchronous, and Drizzle's own transaction()
 * commits when the function returns, before anything it awaits has run.
 * Here the writer connection runs BEGIN IMMEDIATE, awaits the whole
 * function, then COMMIT; transactions queue for the writer, and reads on the
 * other connection see only what has committed.
 */
export async function transaction<T>(fn: (tx: DB) => Promise<T>): Promise<T> {
  const open = current();
  // Work registered with beforeCommit runs after fn, as the transaction's last statements.
  // Work registered with afterCommit runs once the transaction has committed (of its last attempt).
  let committed: Array<() => void> = [];
  const body = async (tx: DB) => {
    const hooks = new Map<string, (tx: DB) => Promise<unknown>>();
    pending.set(tx, hooks);
    committed = [];
    afterHooks.set(tx, committed);
    try {
      const out = await fn(tx);
      for (const key of [...hooks.keys()].sort()) await hooks.get(key)!(tx);
      return out;
    } finally {
      pending.delete(tx);
      afterHooks.delete(tx);
    }
  };
  const thenAnnounce = (out: T) => {
    for (const f of committed) {
      try {
        f();
      } catch (err) {
        console.error("after commit:", err);
      }
    }
    return out;
  };
  if (open.engine === "pg") {
    const run = () => (open.writer as unknown as { transaction: (f: (tx: DB) => Promise<T>) => Promise<T> }).transaction(body);
    // PostgreSQL may end one of two transactions that wait on each other
    // (a deadlock): nothing of it was written, so it runs again.
    for (let attempt = 1; ; attempt++) {
      try {
        return thenAnnounce(await run());
      } catch (err) {
        if (attempt >= 3 || !hasCode(err, ["40P01", "40001"])) throw err;
      }
    }
  }
  const raw = open.writer.$client;
  return inTurn(open.queue, async () => {
    raw.exec("BEGIN IMMEDIATE");
    try {
      const out = await body(open.writer);
      raw.exec("COMMIT");
      return out;
    } catch (err) {
      if (raw.inTransaction) raw.exec("ROLLBACK");
      throw err;
    }
  }).then(thenAnnounce);
}

const afterHooks = new WeakMap<DB, Array<() => void>>();

/** Runs `fn` after the transaction `tx` commits; never if it rolls back. For announcements, not for writes. */
export function afterCommit(tx: DB, fn: () => void): void {
  const list = afterHooks.get(tx);
  if (!list) throw new Error("afterCommit needs the transaction's own connection");
  list.push(fn);
}

const pending = new WeakMap<DB, Map<string, (tx: DB) => Promise<unknown>>>();

/**
 * Runs `fn` inside the transaction `tx` after its own work, just before
 * COMMIT, once per key however often it is asked, in the order of the keys.
 * Rows written here stay locked only for the commit itself, and taking them
 * in one order everywhere keeps such transactions from deadlocking.
 */
export function beforeCommit(tx: DB, key: string, fn: (tx: DB) => Promise<unknown>): void {
  const hooks = pending.get(tx);
  if (!hooks) throw new Error("beforeCommit needs the transaction's own connection");
  if (!hooks.has(key)) hooks.set(key, fn);
}

/** Whether the error, or one it wraps (Drizzle wraps the driver's), has one of these codes. */
export function hasCode(err: unknown, codes: string[]): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && codes.includes(code)) return true;
  }
  return false;
}

/** A unique index refused the row: SQLite's SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL's 23505. */
export function isUniqueViolation(err: unknown): boolean {
  return hasCode(err, ["23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"]);
}

import { sql } from "drizzle-orm";
import fs from "node:fs";
import path from "node:path";
import { db, engine, rows, sqliteConnections, transaction } from "../../db/client";
import { healthChecks } from "../../db/schema";

// Whether the database takes writes is known three ways: a tiny committed
// write at most every `intervalMs` (so probes do not write each time), any
// write the app itself saw fail for lack of space or permission since then,
// and on SQLite the free space of the disk the file is on, asked every time:
// a one-row write can land in WAL pages SQLite reuses, so on a full disk it
// may succeed one probe and fail the next (issue 23).

const health = { lastProbe: 0, writable: true };

// SQLite's codes, and PostgreSQL's SQLSTATEs for a full disk or too many
// connections (53xxx: insufficient resources), I/O (58030), a read-only
// transaction or standby (25006), and a server shutting down (57P0x).
const STORAGE_ERRORS = /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)|53\d{3}|58030|25006|57P0[1-3])/;

/** True for errors that mean the database cannot store anything (disk full, read-only, I/O). */
export function isStorageError(err: unknown): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && STORAGE_ERRORS.test(code)) return true;
  }
  return false;
}

/** Called with any unexpected error; storage failures mark the database unwritable until a probe succeeds. */
export function noteFailure(err: unknown, now = Date.now()): void {
  if (!isStorageError(err)) return;
  health.writable = false;
  // The next probe comes a full interval later, so the failure is reported meanwhile.
  health.lastProbe = now;
}

export type DatabaseHealth = { readable: boolean; writable: boolean };

/** Free megabytes on the disk holding the SQLite file; undefined on PostgreSQL (another machine's disk) or in memory. */
function freeMegabytes(): number | undefined {
  try {
    if (engine() !== "sqlite") return undefined;
    const file = sqliteConnections().writer.$client.name;
    if (!file || file === ":memory:") return undefined;
    const s = fs.statfsSync(path.dirname(path.resolve(file)));
    return Math.floor((s.bavail * s.bsize) / 1048576);
  } catch {
    return undefined;
  }
}

export async function checkDatabase(intervalMs: number, now = Date.now(), minFreeMb = 0): Promise<DatabaseHealth> {
  let readable = false;
  try {
    readable = (await rows<{ ok: number }>(db(), sql`select 1 as ok`))[0]?.ok === 1;
  } catch {
    readable = false;
  }
  if (readable && now - health.lastProbe >= intervalMs) {
    health.lastProbe = now;
    try {
      await transaction((tx) =>
        tx.insert(healthChecks).values({ id: 1, checkedAt: now }).onConflictDoUpdate({ target: healthChecks.id, set: { checkedAt: now } }),
      );
      health.writable = true;
    } catch {
      health.writable = false;
    }
  }
  const freeMb = freeMegabytes();
  const roomy = freeMb === undefined || freeMb >= minFreeMb;
  // The figure itself stays private: /healthz is public, and says only whether writes work.
  return { readable, writable: readable && health.writable && roomy };
}

import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { and, asc, desc, eq, gte, isNull, lt, sql } from "drizzle-orm";
import { db, engine, exclusively, exec, rows, transaction, type DB } from "../../db/client";
import { notifyPollChanged } from "./events.server";
import { foldTallyDeltas } from "./tallies.server";
import { ballotLog, logCheckpoints, logEntries, logHashes, polls, topics } from "../../db/schema";
import type { BallotEvent } from "../../db/schema/domain";
import { checkpointText, rawPublicKey, signNote, verifierKey } from "../lib/signed-note.server";
import { leafHash, rootFromStored, rootOf, TILE_WIDTH, type Hash } from "../lib/tlog.server";
import { touchTopic } from "./data-versions.server";
import { knownSecret, serverSecret } from "./secrets.server";

// Each poll's ballot log as a transparency log (issue 25, docs/ballot-log.md):
// RFC 6962 Merkle trees served in the C2SP tlog-tiles layout. A vote adds its
// entry without an index and without reading the log; one integrator (the
// holder of an advisory lock on PostgreSQL, the process on SQLite) gives
// pending entries their places, ordered by hash within a batch, stores the
// tree's hashes as tiles serve them, and signs a checkpoint.

/**
 * "pulse-ballot/1 <poll> <hour> <voter> <n> <action> <choices>": one ballot
 * event, one line. `n` counts the voter's events in this poll (1, 2, 3…):
 * entries within a batch are ordered by hash, not by time, so a replay takes
 * each voter's entry with the highest `n` as their ballot.
 */
export function entryLine(pollId: number, hour: string, voter: string, n: number, action: BallotEvent, choices: string): string {
  return `pulse-ballot/1 ${pollId} ${hour} ${voter} ${n} ${action} ${choices}`.trimEnd();
}

// ---------------------------------------------------------------- signing

const KEY_SECRET = "ballot_log_signing_key";
// An Ed25519 private key in PKCS#8 is this prefix and its 32-byte seed.
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/** The host the log is named after: PUBLIC_ORIGIN's, or localhost (the port left out, so every start names it alike). */
export const logHost = (publicOrigin: string | undefined) => new URL(publicOrigin ?? "http://localhost").hostname;

/** The log's key name: the site's host and `/ballot-log`. */
export const keyName = (host: string) => `${host}/ballot-log`;

const keyOfSeed = (seed: Buffer) => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });

/** The log's signing key, made once (inside a writing transaction) and kept in the database. */
async function signingKey(tx: DB): Promise<KeyObject> {
  return keyOfSeed(await serverSecret(tx, KEY_SECRET));
}

/** Makes the signing key now if there is none, so the public key can be read without a write. */
export async function ensureSigningKey(): Promise<void> {
  await transaction((tx) => signingKey(tx));
}

/** The verifier key a checker configures, in signed-note form (`name+hash+key`); null before the key exists. */
export async function logVerifierKey(host: string): Promise<string | null> {
  const seed = await knownSecret(KEY_SECRET);
  return seed && verifierKey(keyName(host), rawPublicKey(createPublicKey(keyOfSeed(seed))));
}

// ---------------------------------------------------------------- the tree

async function hashesAt(conn: DB, pollId: number, level: number, from: number, count: number): Promise<Hash[]> {
  const rows = await conn
    .select({ hash: logHashes.hash })
    .from(logHashes)
    .where(and(eq(logHashes.pollId, pollId), eq(logHashes.level, level), gte(logHashes.idx, from), lt(logHashes.idx, from + count)))
    .orderBy(asc(logHashes.idx));
  if (rows.length !== count) throw new Error(`log ${pollId}: ${rows.length} of ${count} hashes at level ${level} from ${from}`);
  return rows.map((r) => Buffer.from(r.hash, "hex"));
}

async function insertHashes(tx: DB, pollId: number, level: number, from: number, hashes: Hash[]) {
  for (let i = 0; i < hashes.length; i += 500) {
    await tx.insert(logHashes).values(hashes.slice(i, i + 500).map((h, j) => ({ pollId, level, idx: from + i + j, hash: h.toString("hex") })));
  }
}

/**
 * Appends leaves to a poll's tree of `size`: their hashes at level 0, then
 * the hash of every block that became full at each level above. Answers
 * the new size and root.
 */
async function extendTree(tx: DB, pollId: number, size: number, leaves: Hash[]): Promise<{ size: number; root: Hash }> {
  const next = size + leaves.length;
  await insertHashes(tx, pollId, 0, size, leaves);
  for (let level = 1; TILE_WIDTH ** level <= next; level++) {
    const before = Math.floor(size / TILE_WIDTH ** level);
    const after = Math.floor(next / TILE_WIDTH ** level);
    const made: Hash[] = [];
    for (let n = before; n < after; n++) made.push(rootOf(await hashesAt(tx, pollId, level - 1, n * TILE_WIDTH, TILE_WIDTH)));
    if (made.length) await insertHashes(tx, pollId, level, before, made);
  }
  return { size: next, root: await rootFromStored(next, (level, from, count) => hashesAt(tx, pollId, level, from, count)) };
}

/** Signs and keeps the poll's checkpoint for its tree as it now stands. */
async function checkpoint(tx: DB, pollId: number, host: string, size: number, root: Hash, now: number) {
  const [where] = await tx
    .select({ topicId: polls.topicId, topic: topics.slug, poll: polls.slug })
    .from(polls)
    .innerJoin(topics, eq(topics.id, polls.topicId))
    .where(eq(polls.id, pollId));
  const origin = `${host}/t/${where.topic}/p/${where.poll}/log`;
  const note = signNote(checkpointText({ origin, size, root }), keyName(host), await signingKey(tx));
  const row = { size, root: root.toString("hex"), note, signedAt: now };
  await tx.insert(logCheckpoints).values({ pollId, ...row }).onConflictDoUpdate({ target: logCheckpoints.pollId, set: row });
  // Pages that show the checkpoint are drawn anew (once a batch, not once a vote).
  touchTopic(tx, where.topicId);
}

async function sizeOf(conn: DB, pollId: number): Promise<number> {
  const [c] = await conn.select({ size: logCheckpoints.size }).from(logCheckpoints).where(eq(logCheckpoints.pollId, pollId));
  return c?.size ?? 0;
}

/** At most this many entries join a tree in one transaction. */
const BATCH = 4096;

/**
 * Integrates every poll's pending entries (in batches, each ordered by its
 * entries' hashes, not by arrival) and signs a checkpoint per poll that
 * grew. One integrator at a time: callers hold the lock (integrateLogsOnce).
 * Answers how many entries were integrated.
 */
export async function integratePending(host: string, now = Date.now()): Promise<number> {
  const todo = await rows<{ poll_id: number }>(
    db(),
    // Poll by poll, an index probe each: a scan of every log four times a second would grow with the logs.
    sql`select p.id as poll_id from polls p
      where exists (select 1 from log_entries le where le.poll_id = p.id and le.idx is null)
         or exists (select 1 from tally_deltas td where td.poll_id = p.id)
      order by p.id`,
  );
  let total = 0;
  for (const { poll_id } of todo) {
    const pollId = Number(poll_id);
    for (let first = true; ; first = false) {
      const done = await transaction(async (tx) => {
        // The counters take the poll's pending deltas in the same transaction (tallies.server.ts).
        if (first) await foldTallyDeltas(tx, pollId, now);
        const pending = await tx
          .select({ id: logEntries.id, hash: logEntries.hash })
          .from(logEntries)
          .where(and(eq(logEntries.pollId, pollId), isNull(logEntries.idx)))
          .orderBy(asc(logEntries.hash), asc(logEntries.id))
          .limit(BATCH);
        if (pending.length === 0) return 0;
        const size = await sizeOf(tx, pollId);
        // One statement places the batch: each entry's place is its rank by (hash, id) among exactly these entries.
        const ids = sql.join(
          pending.map((p) => sql`${p.id}`),
          sql`, `,
        );
        await exec(
          tx,
          sql`update log_entries set idx = r.place from (select id, ${size} - 1 + row_number() over (order by hash, id) as place from log_entries where id in (${ids})) r
            where log_entries.id = r.id`,
        );
        const tree = await extendTree(tx, pollId, size, pending.map((p) => Buffer.from(p.hash, "hex")));
        await checkpoint(tx, pollId, host, tree.size, tree.root, now);
        return pending.length;
      });
      total += done;
      if (done < BATCH) break;
    }
    // Every instance's live streams hear of the votes folded (the voting instance's own heard at once).
    if (engine() === "pg") notifyPollChanged(pollId);
  }
  return total;
}

/** The integrator's advisory lock on PostgreSQL: with several instances, one integrates. */
const INTEGRATOR_LOCK = 7_011_2026;

/** One integration pass, unless another instance is running one. */
export function integrateLogsOnce(host: string): Promise<boolean> {
  return exclusively(INTEGRATOR_LOCK, () => integratePending(host));
}

/**
 * Logs kept as hash chains before the tree existed become the first entries
 * of their poll's tree, in their order. Once per poll, at start, under the
 * migration lock.
 */
export async function migrateChainsToTrees(host: string, now = Date.now()): Promise<number> {
  const todo = await db()
    .selectDistinct({ pollId: ballotLog.pollId })
    .from(ballotLog)
    .where(sql`not exists (select 1 from ${logEntries} where ${logEntries.pollId} = ${ballotLog.pollId})`);
  for (const { pollId } of todo) {
    await transaction(async (tx) => {
      const rows = await tx.select().from(ballotLog).where(eq(ballotLog.pollId, pollId)).orderBy(asc(ballotLog.seq));
      const counted = new Map<string, number>();
      const lines = rows.map((r) => {
        const n = (counted.get(r.voter) ?? 0) + 1;
        counted.set(r.voter, n);
        return entryLine(pollId, r.hour, r.voter, n, r.action, r.choices);
      });
      const leaves = lines.map((l) => leafHash(Buffer.from(l, "utf8")));
      for (let i = 0; i < lines.length; i += 500) {
        await tx.insert(logEntries).values(lines.slice(i, i + 500).map((entry, j) => ({ pollId, voter: rows[i + j].voter, idx: i + j, entry, hash: leaves[i + j].toString("hex"), createdAt: now })));
      }
      const tree = await extendTree(tx, pollId, 0, leaves);
      await checkpoint(tx, pollId, host, tree.size, tree.root, now);
    });
  }
  return todo.length;
}

// ---------------------------------------------------------------- reading

export type LogCheckpoint = { size: number; root: string; note: string; signedAt: number };

/** A poll's latest signed checkpoint, or null before its first entry is integrated. */
export async function latestCheckpoint(pollId: number): Promise<LogCheckpoint | null> {
  const [c] = await db()
    .select({ size: logCheckpoints.size, root: logCheckpoints.root, note: logCheckpoints.note, signedAt: logCheckpoints.signedAt })
    .from(logCheckpoints)
    .where(eq(logCheckpoints.pollId, pollId));
  return c ?? null;
}

/**
 * A hash tile's bytes (`width` hashes from `n * 256` at `level`), or null
 * when the tree has not that many yet: a tile once served never changes.
 */
export async function hashTile(pollId: number, level: number, n: number, width: number): Promise<Buffer | null> {
  const rows = await db()
    .select({ hash: logHashes.hash })
    .from(logHashes)
    .where(and(eq(logHashes.pollId, pollId), eq(logHashes.level, level), gte(logHashes.idx, n * TILE_WIDTH), lt(logHashes.idx, n * TILE_WIDTH + width)))
    .orderBy(asc(logHashes.idx));
  return rows.length === width ? Buffer.concat(rows.map((r) => Buffer.from(r.hash, "hex"))) : null;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes; null when not all are integrated. */
export async function entryBundle(pollId: number, n: number, width: number): Promise<Buffer | null> {
  const rows = await db()
    .select({ entry: logEntries.entry })
    .from(logEntries)
    .where(and(eq(logEntries.pollId, pollId), gte(logEntries.idx, n * TILE_WIDTH), lt(logEntries.idx, n * TILE_WIDTH + width)))
    .orderBy(asc(logEntries.idx));
  if (rows.length !== width) return null;
  return Buffer.concat(
    rows.flatMap((r) => {
      const bytes = Buffer.from(r.entry, "utf8");
      const len = Buffer.alloc(2);
      len.writeUInt16BE(bytes.length);
      return [len, bytes];
    }),
  );
}

export type Receipt = {
  /** The leaf hash of the voter's latest entry (hex): SHA-256(0x00 || entry). */
  leafHash: string;
  entry: string;
  /** Its place in the poll's tree, once integrated. */
  index: number | null;
  /** The latest checkpoint, and whether it already includes the entry. */
  checkpoint: { size: number; root: string; included: boolean } | null;
};

/** A voter's receipt for a poll: their latest entry, its place, and the checkpoint that holds it. Null if they have none. */
export async function receiptOf(pollId: number, voter: string): Promise<Receipt | null> {
  const [e] = await db()
    .select({ hash: logEntries.hash, entry: logEntries.entry, idx: logEntries.idx })
    .from(logEntries)
    .where(and(eq(logEntries.pollId, pollId), eq(logEntries.voter, voter)))
    .orderBy(desc(logEntries.id))
    .limit(1);
  if (!e) return null;
  const c = await latestCheckpoint(pollId);
  return {
    leafHash: e.hash,
    entry: e.entry,
    index: e.idx,
    checkpoint: c && { size: c.size, root: Buffer.from(c.root, "hex").toString("base64"), included: e.idx !== null && e.idx < c.size },
  };
}

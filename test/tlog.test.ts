// Issue 25: each poll's ballot log as a signed RFC 6962 tree in the C2SP
// tlog-tiles layout, checked from outside as a verifier would: the key from
// /recount/key, the checkpoint's signature, every root from the tiles, and
// every entry against its leaf.
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openNote, parseCheckpoint, parseVerifierKey } from "../app/lib/signed-note.server";
import { leafHash, MerkleTree, rootFromStored, TILE_WIDTH, tilePath, tileWidth, verifyInclusion, type Hash } from "../app/lib/tlog.server";
import { backfillBallotLogs } from "../app/models/ballot-log.server";
import { castVote, withdrawVote } from "../app/models/ballots.server";
import { integratePending, logHost, migrateChainsToTrees } from "../app/models/tlog.server";
import { ballotLog, logCheckpoints, logEntries, logHashes } from "../db/schema";
import { verifyTopic } from "../scripts/results-verify";
import { exec, transaction } from "../db/client";
import { makeUser, optionIds, pollId, useFreshDatabase, useTestServer, type Client } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const LOG = "/t/llama-2-license/p/license-opinion/log";
const HOST = logHost(undefined);

/** `n` people, inserted directly (no HTTP, no password hashing). */
async function people(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `u_log${i}`);
  await transaction(async (tx) => {
    for (const id of ids) await exec(tx, sqlInsertUser(id));
  });
  return ids;
}
const sqlInsertUser = (id: string) => sql`insert into users (id, username, password_hash, created_at) values (${id}, ${id.slice(2)}, 'x', ${Date.now()})`;

async function bytes(client: Client, path: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await client.get(path);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** What a verifier does: open the checkpoint with the published key, then rebuild its root from the tiles alone. */
async function verifyFromOutside(client: Client) {
  const key = parseVerifierKey((await (await client.get("/recount/key")).text()).trim());
  const note = await (await client.get(`${LOG}/checkpoint`)).text();
  const opened = openNote(note, key);
  if (!opened.ok) throw new Error(opened.reason);
  const cp = parseCheckpoint(opened.text)!;
  const tiles = new Map<string, Buffer>();
  const tile = async (level: number, n: number) => {
    const path = tilePath(level, n, tileWidth(cp.size, level, n));
    if (!tiles.has(path)) {
      const got = await bytes(client, `${LOG}/${path}`);
      expect(got.status, path).toBe(200);
      tiles.set(path, got.body);
    }
    return tiles.get(path)!;
  };
  const hashAt = async (level: number, from: number, count: number): Promise<Hash[]> => {
    const n = Math.floor(from / TILE_WIDTH);
    const body = await tile(level, n);
    return Array.from({ length: count }, (_, i) => body.subarray((from - n * TILE_WIDTH + i) * 32, (from - n * TILE_WIDTH + i + 1) * 32));
  };
  const root = await rootFromStored(cp.size, hashAt);
  // Every entry hashes to its leaf.
  const entries: string[] = [];
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const { body } = await bytes(client, `${LOG}/${tilePath("entries", n, tileWidth(cp.size, 0, n))}`);
    const leaves = await tile(0, n);
    for (let at = 0, i = 0; at < body.length; i++) {
      const len = body.readUInt16BE(at);
      const entry = body.subarray(at + 2, at + 2 + len);
      expect(leafHash(entry).equals(leaves.subarray(i * 32, i * 32 + 32)), `entry ${n * 256 + i}`).toBe(true);
      entries.push(entry.toString("utf8"));
      at += 2 + len;
    }
  }
  return { checkpoint: cp, root, entries, origin: cp.origin };
}

describe("the ballot log as a transparency log (issue 25)", () => {
  it("a vote queues its entry; the integrator places it, signs a checkpoint, and tiles rebuild the same root", async () => {
    const poll = await pollId(t.db(), "license-opinion");
    const opts = await optionIds(t.db(), "license-opinion");
    const ids = await people(300);
    await Promise.all(ids.map((id, i) => castVote(id, poll, { optionIds: [opts[i % 4]] })));
    for (const id of ids.slice(0, 20)) await withdrawVote(id, poll);
    const pending = await t.db().select({ idx: logEntries.idx }).from(logEntries);
    expect(pending.length).toBe(320);
    expect(pending.every((e) => e.idx === null)).toBe(true);
    // Before the integrator runs there is nothing to verify.
    expect((await anon().get(`${LOG}/checkpoint`)).status).toBe(404);

    expect(await integratePending(HOST)).toBe(320);
    const out = await verifyFromOutside(anon());
    expect(out.checkpoint.size).toBe(320);
    expect(out.root.equals(out.checkpoint.root)).toBe(true);
    expect(out.origin).toBe(`${HOST}/t/llama-2-license/p/license-opinion/log`);
    // One batch is ordered by the entries' hashes, not by arrival.
    const hashes = out.entries.map((e) => leafHash(Buffer.from(e)).toString("hex"));
    expect(hashes).toEqual([...hashes].sort());
    expect(out.entries.filter((e) => / cast /.test(e)).length).toBe(300);
    expect(out.entries.filter((e) => / withdraw$/.test(e)).length).toBe(20);
    expect(out.entries[0]).toMatch(new RegExp(`^pulse-ballot/1 ${poll} \\d{4}-\\d\\d-\\d\\dT\\d\\d:00Z [0-9a-f]{32} [12] (cast \\d+|withdraw)$`));

    // The log grows: a later batch extends the tree the earlier checkpoint signed.
    await castVote(ids[0], poll, { optionIds: [opts[3]] });
    expect(await integratePending(HOST)).toBe(1);
    expect((await verifyFromOutside(anon())).checkpoint.size).toBe(321);
  });

  it("serves full tiles for good, refuses tiles it does not have and paths the spec does not allow", async () => {
    const poll = await pollId(t.db(), "license-opinion");
    const opts = await optionIds(t.db(), "license-opinion");
    for (const id of await people(260)) await castVote(id, poll, { optionIds: [opts[0]] });
    await integratePending(HOST);
    const full = await bytes(anon(), `${LOG}/tile/0/000`);
    expect(full.status).toBe(200);
    expect(full.body.length).toBe(256 * 32);
    expect(full.headers.get("cache-control")).toContain("immutable");
    expect(full.headers.get("content-type")).toBe("application/octet-stream");
    expect((await bytes(anon(), `${LOG}/tile/0/001.p/4`)).body.length).toBe(4 * 32);
    expect((await bytes(anon(), `${LOG}/tile/1/000.p/1`)).body.length).toBe(32);
    for (const path of ["tile/0/001", "tile/0/001.p/5", "tile/0/002.p/1", "tile/2/000.p/1", "tile/0/x000/001", "tile/0/1", "tile/../000", "tile/entries/001.p/9"]) {
      expect((await anon().get(`${LOG}/${path}`)).status, path).toBe(404);
    }
    const cp = await (await anon().get(`${LOG}/checkpoint`)).text();
    expect(cp.split("\n").slice(0, 2)).toEqual([`${HOST}/t/llama-2-license/p/license-opinion/log`, "260"]);
    // A poll whose results are hidden keeps its log hidden too.
    expect((await anon().get("/t/llama-2-license/p/no-such-poll/log/checkpoint")).status).toBe(404);
  });

  it("makes logs kept as hash chains the first entries of their trees, in their order", async () => {
    const poll = await pollId(t.db(), "license-opinion");
    const opts = await optionIds(t.db(), "license-opinion");
    // As a database from before the tree: chain rows (their hashes are not read again), no entries.
    const voters = ["a", "b", "a", "c", "b"].map((v) => v.repeat(32));
    const actions = ["cast", "cast", "change", "cast", "withdraw"] as const;
    await transaction(async (tx) => {
      for (const [i, voter] of voters.entries()) {
        await tx.insert(ballotLog).values({ pollId: poll, seq: i + 1, hour: "2026-11-01T10:00Z", voter, action: actions[i], choices: actions[i] === "withdraw" ? "" : String(opts[i % 4]), prev: "0".repeat(64), hash: String(i).repeat(64) });
      }
    });
    expect(await migrateChainsToTrees(HOST)).toBe(1);
    expect(await migrateChainsToTrees(HOST)).toBe(0);
    const chain = await t.db().select().from(ballotLog).orderBy(ballotLog.seq);
    const out = await verifyFromOutside(anon());
    // Each voter's events numbered 1, 2, … in chain order.
    const seen = new Map<string, number>();
    const expected = chain.map((r) => {
      const n = (seen.get(r.voter) ?? 0) + 1;
      seen.set(r.voter, n);
      return `pulse-ballot/1 ${poll} ${r.hour} ${r.voter} ${n} ${r.action} ${r.choices}`.trimEnd();
    });
    expect(out.entries).toEqual(expected);
  });

  it("two integrators at once place every entry exactly once", async () => {
    const poll = await pollId(t.db(), "license-opinion");
    const opts = await optionIds(t.db(), "license-opinion");
    const ids = await people(120);
    await Promise.all(ids.map((id, i) => castVote(id, poll, { optionIds: [opts[i % 4]] })));
    const { integrateLogsOnce } = await import("../app/models/tlog.server");
    // Two instances' integrators (one holds the lock), and a third that skips the lock: the unique
    // indexes turn any overlap into a rolled-back batch, never an entry in two places.
    await Promise.all([integrateLogsOnce(HOST).catch(() => false), integrateLogsOnce(HOST).catch(() => false), integratePending(HOST).catch(() => 0)]);
    await integratePending(HOST);
    const placed = (await t.db().select({ idx: logEntries.idx }).from(logEntries)).map((e) => e.idx).sort((a, b) => a! - b!);
    expect(placed).toEqual(ids.map((_, i) => i));
    expect((await verifyFromOutside(anon())).checkpoint.size).toBe(120);
  });

  it("gives a voter a receipt: the entry's hash, then its index and a checkpoint that provably includes it", async () => {
    const opts = await optionIds(t.db(), "license-opinion");
    const poll = await pollId(t.db(), "license-opinion");
    for (const id of await people(40)) await castVote(id, poll, { optionIds: [opts[1]] });
    const me = await makeUser(anon(), "receipt");
    expect((await me.client.post("/t/llama-2-license/p/license-opinion", { intent: "vote", option: String(opts[2]) })).status).toBe(302);
    const RECEIPT = "/t/llama-2-license/p/license-opinion/receipt";
    const before = await (await me.client.get(RECEIPT)).json();
    expect(before.index).toBeNull();
    expect(before.leafHash).toBe(leafHash(Buffer.from(before.entry)).toString("hex"));
    expect(before.entry).toMatch(new RegExp(`^pulse-ballot/1 ${poll} \\S+ [0-9a-f]{32} 1 cast ${opts[2]}$`));
    expect(await (await me.client.get("/t/llama-2-license/p/license-opinion")).text()).toContain("It gets its place in the log");

    await integratePending(HOST);
    const r = await (await me.client.get(RECEIPT)).json();
    expect(r.checkpoint).toMatchObject({ size: 41, included: true });
    expect(r.log).toEqual({ checkpoint: `${LOG}/checkpoint`, tiles: `${LOG}/tile/`, key: "/recount/key" });
    // Anyone's tool: the tiles give every leaf, hence a proof that the receipt's leaf is at its index under the signed root.
    const out = await verifyFromOutside(anon());
    const leaves = out.entries.map((e) => leafHash(Buffer.from(e)));
    const proof = new MerkleTree(leaves).inclusion(r.index, out.checkpoint.size);
    expect(verifyInclusion(Buffer.from(r.leafHash, "hex"), r.index, out.checkpoint.size, proof, out.checkpoint.root)).toBe(true);
    expect(Buffer.from(r.checkpoint.root, "base64").equals(out.checkpoint.root)).toBe(true);
    const page = await (await me.client.get("/t/llama-2-license/p/license-opinion")).text();
    expect(page).toContain(`data-testid="receipt-index">${r.index}<`);
    // Only the voter: signed out it is a 401, and someone who has not answered has none.
    expect((await anon().get(RECEIPT)).status).toBe(401);
    const other = await makeUser(anon(), "noreceipt");
    expect((await other.client.get(RECEIPT)).status).toBe(404);
    expect(await (await other.client.get("/t/llama-2-license/p/license-opinion")).text()).not.toContain('data-testid="receipt"');
  });

  it("results:verify checks the signed tree and fails, naming the place, when an entry, a tile, a checkpoint or history is altered", async () => {
    const poll = await pollId(t.db(), "license-opinion");
    const opts = await optionIds(t.db(), "license-opinion");
    const ids = await people(30);
    await Promise.all(ids.map((id, i) => castVote(id, poll, { optionIds: [opts[i % 4]] })));
    await castVote(ids[0], poll, { optionIds: [opts[3]] });
    await withdrawVote(ids[1], poll);
    await integratePending(HOST);
    const base = anon().base;
    const good = await verifyTopic(base, "llama-2-license");
    expect(good.ok, good.lines.join("\n")).toBe(true);
    expect(good.lines.find((l) => l.includes("license-opinion"))).toMatch(/signed tree of 32 entries verified, its view matches, 29 voters \(0 guests\) and every option's count re-counted/);
    const state = good.seen;
    expect(state["license-opinion"].tree?.size).toBe(32);

    const failing = async (alter: () => Promise<unknown>, place: RegExp, before = {}) => {
      await alter();
      const r = await verifyTopic(base, "llama-2-license", before);
      expect(r.ok, r.lines.join("\n")).toBe(false);
      expect(r.lines.join("\n")).toMatch(place);
    };
    const entry3 = await t.db().select({ entry: logEntries.entry }).from(logEntries).where(eq(logEntries.idx, 3));
    // An entry rewritten in place.
    await failing(() => transaction((tx) => tx.update(logEntries).set({ entry: entry3[0].entry.replace(/ \d{4}-/, " 1999-") }).where(eq(logEntries.idx, 3))), /entry 3: its hash is not the leaf/);
    await transaction((tx) => tx.update(logEntries).set({ entry: entry3[0].entry }).where(eq(logEntries.idx, 3)));
    // A hash tile altered.
    const leaf5 = await t.db().select({ hash: logHashes.hash }).from(logHashes).where(and(eq(logHashes.level, 0), eq(logHashes.idx, 5)));
    await failing(() => transaction((tx) => tx.update(logHashes).set({ hash: "00".repeat(32) }).where(and(eq(logHashes.level, 0), eq(logHashes.idx, 5)))), /entry 5: its hash is not the leaf/);
    await transaction((tx) => tx.update(logHashes).set({ hash: leaf5[0].hash }).where(and(eq(logHashes.level, 0), eq(logHashes.idx, 5))));
    // A checkpoint whose size was edited after signing.
    const [cp] = await t.db().select({ note: logCheckpoints.note }).from(logCheckpoints);
    await failing(() => transaction((tx) => tx.update(logCheckpoints).set({ note: cp.note.replace("\n32\n", "\n31\n") })), /checkpoint: the log's signature does not verify/);
    await transaction((tx) => tx.update(logCheckpoints).set({ note: cp.note }));
    expect((await verifyTopic(base, "llama-2-license", state)).ok).toBe(true);
    // History rebuilt in another order and signed again with the log's own key: the state of the earlier run shows it.
    await failing(async () => {
      await transaction(async (tx) => {
        await tx.delete(logHashes);
        await tx.delete(logCheckpoints);
        await tx.delete(logEntries);
      });
      await backfillBallotLogs();
      // One event moved to another hour: a valid entry, a different tree.
      const [e] = await t.db().select({ id: logEntries.id, entry: logEntries.entry }).from(logEntries).limit(1);
      const moved = e.entry.replace(/ \d{4}-\d\d-\d\dT\d\d:00Z /, " 2020-01-01T00:00Z ");
      await transaction((tx) => tx.update(logEntries).set({ entry: moved, hash: leafHash(Buffer.from(moved)).toString("hex") }).where(eq(logEntries.id, e.id)));
      await integratePending(HOST);
    }, /does not extend the one of 32 entries an earlier run saw/, state);
  });
});

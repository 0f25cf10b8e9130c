// Re-counts a topic's public results from its ballot logs, as anyone can:
//
//   npm run results:verify -- <base URL> <topic> [--state file.json]
//
// It downloads results.json and every poll's ballots.json (page by page,
// following `next`), checks each hash chain, replays the events, and compares
// the counts with results.json. Then it checks each poll's signed Merkle tree
// (issue 25): the checkpoint's signature with the key at /recount/key, every
// entry against its leaf and every tile hash against the leaves, the root,
// the tallies replayed from the entries, and, given the state of an earlier
// run, that the tree extends the one it saw. It
// uses nothing of Pulse but its public URLs (docs/ballot-log.md), so it reads
// as the specification of the check. Exit 0: everything matches. Exit 1: a
// mismatch, with the poll and row. Exit 2: it could not run (usage, network).

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
// The Merkle tree and signed notes are written from RFC 6962/9162 and the C2SP texts, and tested against
// RFC 6962's vectors and a second implementation (test/unit.tlog.test.ts); any tlog tool can stand in for them.
import { openNote, parseCheckpoint, parseVerifierKey, type Verifier } from "../app/lib/signed-note.server";
import { leafHash, MerkleTree, rootOf, TILE_WIDTH, tilePath, tileWidth, verifyConsistency, type Hash } from "../app/lib/tlog.server";

const GENESIS = "0".repeat(64);
const ACTIONS = new Set(["cast", "change", "withdraw", "removed"]);
const ATTEMPTS = 5;

type Row = { seq: number; hour: string; voter: string; action: string; choices: string; prev: string; hash: string };
type Log = { poll: { id: number; slug: string; options: { id: number; label: string }[] }; rows: Row[] };
/** One page of ballots.json: `next` is the path of the following page, or null on the last. */
type LogPage = Log & { next: string | null };
type PollResult = {
  slug: string;
  voters: number;
  options: { id: number; label: string; count: number }[] | null;
  ballotLog: { rows: number; head: string; json: string; checkpoint?: { size: number; root: string; url: string } } | null;
};
type Results = { topic: { slug: string }; polls: PollResult[] };
/** What a previous run saw, per poll: a later log must still hold it. */
export type Seen = Record<string, { rows: number; head: string; tree?: { size: number; root: string } }>;

export type Report = { ok: boolean; lines: string[]; seen: Seen };

export class CannotRun extends Error {}

async function get(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { "Cache-Control": "no-cache" } });
  } catch (err) {
    throw new CannotRun(`${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new CannotRun(`${url}: HTTP ${res.status}`);
  return res;
}

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: "application/json", "Cache-Control": "no-cache" } });
  } catch (err) {
    throw new CannotRun(`${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new CannotRun(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** A whole log: its pages in order, joined. */
async function getLog(root: string, path: string): Promise<Log> {
  const first = await getJson<LogPage>(`${root}${path}`);
  const rows = [...first.rows];
  for (let next = first.next; next; ) {
    const page = await getJson<LogPage>(`${root}${next}`);
    rows.push(...page.rows);
    next = page.next;
  }
  return { poll: first.poll, rows };
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Problems with the chain itself: order, links, and each row's hash over its own fields. */
export function chainProblems(pollId: number, rows: Row[]): string[] {
  const problems: string[] = [];
  let prev = GENESIS;
  for (const [i, r] of rows.entries()) {
    const where = `row ${i + 1}`;
    if (r.seq !== i + 1) problems.push(`${where}: seq is ${r.seq}, expected ${i + 1}`);
    if (r.prev !== prev) problems.push(`${where}: prev ${r.prev.slice(0, 12)}… does not link to the row before (${prev.slice(0, 12)}…)`);
    const own = sha256([pollId, r.seq, r.hour, r.voter, r.action, r.choices, r.prev].join("|"));
    if (own !== r.hash) problems.push(`${where}: hash ${r.hash.slice(0, 12)}… does not match its content (${own.slice(0, 12)}…)`);
    if (!ACTIONS.has(r.action)) problems.push(`${where}: unknown action "${r.action}"`);
    if (!/^\d{4}-\d\d-\d\dT\d\d:00Z$/.test(r.hour)) problems.push(`${where}: hour "${r.hour}" is not a whole hour`);
    prev = r.hash;
    if (problems.length >= 10) break;
  }
  return problems;
}

/** Replays the first `upTo` events: who holds which choices after them, or the first event that cannot happen. */
export function replay(rows: Row[], upTo: number, optionIds: Set<number>): { holders: Map<string, number[]> } | { problem: string } {
  const holders = new Map<string, number[]>();
  for (const r of rows.slice(0, upTo)) {
    const where = `row ${r.seq} (${r.action})`;
    const choices = r.choices === "" ? [] : r.choices.split(" ").map(Number);
    if (choices.some((c) => !optionIds.has(c))) return { problem: `${where}: choices "${r.choices}" name an option the poll does not have` };
    const had = holders.has(r.voter);
    if (r.action === "cast" || r.action === "change") {
      if (choices.length === 0) return { problem: `${where}: a ${r.action} with no choices` };
      if (r.action === "cast" && had) return { problem: `${where}: voter ${r.voter.slice(0, 8)}… cast a second ballot` };
      if (r.action === "change" && !had) return { problem: `${where}: voter ${r.voter.slice(0, 8)}… changed a ballot they did not have` };
      holders.set(r.voter, choices);
    } else {
      if (!had) return { problem: `${where}: voter ${r.voter.slice(0, 8)}… had no ballot to take out` };
      if (choices.length) return { problem: `${where}: a ${r.action} that keeps choices` };
      holders.delete(r.voter);
    }
  }
  return { holders };
}

/** Compares one poll's replayed log with its published counts; empty when they agree. */
export function countProblems(poll: PollResult, log: Log): string[] {
  const published = poll.ballotLog!;
  if (published.rows > log.rows.length) return [`results.json counts ${published.rows} events, the log has ${log.rows.length}`];
  const head = published.rows === 0 ? GENESIS : log.rows[published.rows - 1].hash;
  if (head !== published.head) return [`row ${published.rows}: hash ${head.slice(0, 12)}… is not the head results.json shows (${published.head.slice(0, 12)}…)`];
  const replayed = replay(log.rows, published.rows, new Set(log.poll.options.map((o) => o.id)));
  if ("problem" in replayed) return [replayed.problem];
  const counts = new Map<number, number>();
  for (const choices of replayed.holders.values()) for (const c of choices) counts.set(c, (counts.get(c) ?? 0) + 1);
  const problems: string[] = [];
  if (replayed.holders.size !== poll.voters) problems.push(`voters: the log gives ${replayed.holders.size}, results.json says ${poll.voters}`);
  for (const o of poll.options ?? []) {
    const n = counts.get(o.id) ?? 0;
    if (n !== o.count) problems.push(`option "${o.label}" (id ${o.id}): the log gives ${n}, results.json says ${o.count}`);
  }
  return problems;
}

/** A poll's tree as its checkpoint and tiles give it: the signed size and root, every leaf, every entry. */
type Tree = { size: number; root: Hash; leaves: Hash[]; entries: string[] };

/**
 * Reads and checks a poll's signed tree: the checkpoint's signature by the
 * log's key and its origin, every entry against its leaf, every stored hash
 * above the leaves against the leaves, and the root. Problems name the place.
 */
async function readTree(root: string, logPath: string, key: Verifier): Promise<{ tree: Tree } | { problems: string[] }> {
  const note = await (await get(`${root}${logPath}/checkpoint`)).text();
  const opened = openNote(note, key);
  if (!opened.ok) return { problems: [`checkpoint: ${opened.reason}`] };
  const cp = parseCheckpoint(opened.text);
  if (!cp) return { problems: ["checkpoint: not a checkpoint (origin, size, base64 root)"] };
  if (!cp.origin.endsWith(logPath)) return { problems: [`checkpoint: origin ${cp.origin} is not this poll's log (${logPath})`] };
  // Each tile at the width this checkpoint's size gives it (an entry bundle is as wide as its level-0 tile).
  const tile = async (level: number | "entries", n: number) => {
    const width = tileWidth(cp.size, level === "entries" ? 0 : level, n);
    return Buffer.from(await (await get(`${root}${logPath}/${tilePath(level, n, width)}`)).arrayBuffer());
  };
  const leaves: Hash[] = [];
  const entries: string[] = [];
  const problems: string[] = [];
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const hashes = await tile(0, n);
    const bundle = await tile("entries", n);
    for (let at = 0, i = 0; i < hashes.length / 32; i++) {
      const index = n * TILE_WIDTH + i;
      if (at + 2 > bundle.length) {
        problems.push(`entry ${index}: missing from its bundle`);
        break;
      }
      const len = bundle.readUInt16BE(at);
      const entry = bundle.subarray(at + 2, at + 2 + len);
      at += 2 + len;
      const leaf = hashes.subarray(i * 32, i * 32 + 32);
      if (!leafHash(entry).equals(leaf)) problems.push(`entry ${index}: its hash is not the leaf the tiles hold (tile 0/${n})`);
      leaves.push(Buffer.from(leaf));
      entries.push(entry.toString("utf8"));
      if (problems.length >= 10) return { problems };
    }
  }
  // Each stored hash above the leaves is the root of the block of leaves below it.
  for (let level = 1; TILE_WIDTH ** level <= cp.size; level++) {
    const per = TILE_WIDTH ** level;
    for (let n = 0; n * TILE_WIDTH * per < cp.size; n++) {
      const hashes = await tile(level, n);
      for (let i = 0; i < hashes.length / 32; i++) {
        const from = (n * TILE_WIDTH + i) * per;
        if (!rootOf(leaves.slice(from, from + per)).equals(hashes.subarray(i * 32, i * 32 + 32))) problems.push(`tile ${level}/${n}: hash ${i} is not the root of leaves ${from} to ${from + per - 1}`);
      }
    }
  }
  const computed = new MerkleTree(leaves).root(cp.size);
  if (!computed.equals(cp.root)) problems.push(`checkpoint: root ${cp.root.toString("base64")} is not the root of the tiles' ${cp.size} leaves (${computed.toString("base64")})`);
  return problems.length ? { problems } : { tree: { size: cp.size, root: cp.root, leaves, entries } };
}

/** Replays a tree's entries: each voter's ballot is their entry with the highest n. */
export function replayTree(entries: string[], pollId: number, optionIds: Set<number>): { holders: Map<string, number[]> } | { problem: string } {
  const latest = new Map<string, { n: number; action: string; choices: number[] }>();
  for (const [i, e] of entries.entries()) {
    const m = /^pulse-ballot\/1 (\d+) (\d{4}-\d\d-\d\dT\d\d:00Z) ([0-9a-f]{32}) ([1-9]\d*) (cast|change|withdraw|removed)((?: \d+)*)$/.exec(e);
    if (!m || Number(m[1]) !== pollId) return { problem: `entry ${i}: not a ballot event of this poll: "${e.slice(0, 80)}"` };
    const choices = m[6].trim() === "" ? [] : m[6].trim().split(" ").map(Number);
    if (choices.some((c) => !optionIds.has(c))) return { problem: `entry ${i}: choices name an option the poll does not have` };
    const had = latest.get(m[3]);
    if (had?.n === Number(m[4])) return { problem: `entry ${i}: voter ${m[3].slice(0, 8)}… has two events numbered ${m[4]}` };
    if (!had || had.n < Number(m[4])) latest.set(m[3], { n: Number(m[4]), action: m[5], choices });
  }
  const holders = new Map<string, number[]>();
  for (const [voter, l] of latest) if (l.action === "cast" || l.action === "change") holders.set(voter, l.choices);
  return { holders };
}

/** Whether a tree still holds the tree an earlier run saw: its root at that size, and an RFC 6962 consistency proof. */
function extendsEarlier(tree: Tree, earlier: { size: number; root: string }): string | null {
  if (earlier.size > tree.size) return `the tree has ${tree.size} entries, an earlier run saw ${earlier.size}`;
  const t = new MerkleTree(tree.leaves);
  const old = Buffer.from(earlier.root, "base64");
  if (earlier.size === 0) return null;
  if (!t.root(earlier.size).equals(old) || !verifyConsistency(earlier.size, tree.size, old, tree.root, t.consistency(earlier.size, tree.size))) {
    return `the tree does not extend the one of ${earlier.size} entries an earlier run saw (root ${earlier.root}): history was rewritten`;
  }
  return null;
}

/** The tree's side of one poll: its problems, or what it proved. */
async function treeCheck(root: string, poll: PollResult, logPoll: Log["poll"], key: () => Promise<Verifier>, earlier: Seen[string] | undefined): Promise<{ problems: string[]; seen?: { size: number; root: string }; summary: string }> {
  const cp = poll.ballotLog?.checkpoint;
  if (!cp || cp.size === 0) return { problems: [], summary: "no signed tree yet" };
  const logPath = cp.url.replace(/\/checkpoint$/, "");
  const read = await readTree(root, logPath, await key());
  if ("problems" in read) return { problems: read.problems, summary: "" };
  const tree = read.tree;
  const problems: string[] = [];
  const rewritten = earlier?.tree ? extendsEarlier(tree, earlier.tree) : null;
  if (rewritten) problems.push(rewritten);
  // The tree holds every event once the integrator has caught up with the chain; only then are its tallies comparable.
  if (tree.size === poll.ballotLog!.rows) {
    const replayed = replayTree(tree.entries, logPoll.id, new Set(logPoll.options.map((o) => o.id)));
    if ("problem" in replayed) problems.push(replayed.problem);
    else {
      const counts = new Map<number, number>();
      for (const choices of replayed.holders.values()) for (const c of choices) counts.set(c, (counts.get(c) ?? 0) + 1);
      if (replayed.holders.size !== poll.voters) problems.push(`tree: voters ${replayed.holders.size}, results.json says ${poll.voters}`);
      for (const o of poll.options ?? []) if ((counts.get(o.id) ?? 0) !== o.count) problems.push(`tree: option "${o.label}" (id ${o.id}) gives ${counts.get(o.id) ?? 0}, results.json says ${o.count}`);
    }
  }
  const seen = { size: tree.size, root: tree.root.toString("base64") };
  return { problems, seen, summary: `signed tree of ${tree.size} entries verified${tree.size === poll.ballotLog!.rows ? " and re-counted" : ` (${poll.ballotLog!.rows - tree.size} events still being placed)`}` };
}

/** Verifies every public poll of a topic. Throws CannotRun when the server cannot be read. */
export async function verifyTopic(base: string, topic: string, before: Seen = {}): Promise<Report> {
  const root = base.replace(/\/+$/, "");
  // `Cache-Control: no-cache` (getJson) asks past the shared page cache: the counts as they stand now.
  const resultsUrl = () => `${root}/t/${encodeURIComponent(topic)}/results.json`;
  let results = await getJson<Results>(resultsUrl());
  const lines: string[] = [];
  const seen: Seen = {};
  let ok = true;
  // The log's key, read once, when the first signed tree needs it.
  let key: Verifier | undefined;
  const logKey = async () => (key ??= parseVerifierKey((await (await get(`${root}/recount/key`)).text()).trim()));
  for (const slug of results.polls.map((p) => p.slug)) {
    let problems: string[] = [];
    let summary = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const poll = results.polls.find((p) => p.slug === slug);
      if (!poll?.ballotLog) {
        summary = "skipped: its results are not public to everyone, so it has no public log";
        problems = [];
        break;
      }
      const log = await getLog(root, poll.ballotLog.json);
      problems = chainProblems(log.poll.id, log.rows);
      const earlier = before[slug];
      if (earlier && earlier.rows > 0 && log.rows[earlier.rows - 1]?.hash !== earlier.head) {
        problems.push(`row ${earlier.rows}: an earlier run saw head ${earlier.head.slice(0, 12)}… there; history was rewritten`);
      }
      if (problems.length) break; // A chain only grows: a broken one stays broken.
      problems = countProblems(poll, log);
      if (problems.length === 0) {
        const tree = await treeCheck(root, poll, log.poll, logKey, before[slug]);
        problems = tree.problems;
        if (problems.length === 0) {
          seen[slug] = { rows: poll.ballotLog.rows, head: poll.ballotLog.head, ...(tree.seen ? { tree: tree.seen } : {}) };
          summary = `${poll.ballotLog.rows} events, chain intact, ${poll.voters} voters and every option's count match (head ${poll.ballotLog.head.slice(0, 16)}…); ${tree.summary}`;
          break;
        }
      }
      // Counts read while a ballot changed: if the head moved since, read again; if not, the mismatch is real.
      const again = await getJson<Results>(resultsUrl());
      const moved = again.polls.find((p) => p.slug === slug)?.ballotLog?.head !== poll.ballotLog.head;
      results = again;
      if (!moved) break;
    }
    if (problems.length) {
      ok = false;
      lines.push(`FAIL ${slug}:`, ...problems.map((p) => `  ${p}`));
    } else lines.push(`ok   ${slug}: ${summary}`);
  }
  return { ok, lines, seen };
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => !a.startsWith("--"));
  const stateAt = argv.indexOf("--state");
  const stateFile = stateAt >= 0 ? argv[stateAt + 1] : undefined;
  const [base, topic] = args.filter((a) => a !== stateFile);
  if (!base || !topic) {
    console.error("usage: npm run results:verify -- <base URL> <topic slug> [--state file.json]");
    return 2;
  }
  const before: Seen = stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as Seen) : {};
  try {
    const report = await verifyTopic(base, topic, before);
    for (const line of report.lines) console.log(line);
    if (stateFile && report.ok) writeFileSync(stateFile, JSON.stringify({ ...before, ...report.seen }, null, 2));
    console.log(report.ok ? "Every public tally matches its ballot log." : "Mismatch: see FAIL above.");
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof CannotRun) {
      console.error(`cannot verify: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

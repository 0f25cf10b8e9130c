// Re-counts a topic's public results from its ballot logs, as anyone can:
//
//   npm run results:verify -- <base URL> <topic> [--state file.json]
//
// It downloads results.json, then checks each public poll's signed Merkle
// tree (issue 25): the checkpoint's signature with the key at /recount/key,
// every entry against its leaf and every tile hash against the leaves, the
// root, the tallies replayed from the entries against results.json's, the
// readable view (ballots.json, page by page) against the tree, and, given the
// state of an earlier run, that the tree extends the one it saw. It
// uses nothing of Pulse but its public URLs (docs/ballot-log.md), so it reads
// as the specification of the check. Exit 0: everything matches. Exit 1: a
// mismatch, with the poll and row. Exit 2: it could not run (usage, network).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
// The Merkle tree and signed notes are written from RFC 6962/9162 and the C2SP texts, and tested against
// RFC 6962's vectors and a second implementation (test/unit.tlog.test.ts); any tlog tool can stand in for them.
import { openNote, parseCheckpoint, parseVerifierKey, type Verifier } from "../app/lib/signed-note.server";
import { instantRunoff, type Runoff } from "../app/lib/runoff";
import { leafHash, MerkleTree, rootOf, TILE_WIDTH, tilePath, tileWidth, verifyConsistency, type Hash } from "../app/lib/tlog.server";

const ATTEMPTS = 8;

type PollResult = {
  slug: string;
  kind: string;
  /** A ranked poll's runoff (its options' counts are first choices). */
  runoff?: (Omit<Runoff, "rounds"> & { rounds: (Omit<Runoff["rounds"][number], "counts"> & { counts: { optionId: number; votes: number }[] })[] }) | null;
  voters: number;
  /** Of voters, guests (a guest's pseudonym in the log starts with "g"). */
  guests: number;
  options: { id: number; label: string; count: number; guests: number }[] | null;
  /** `entries`: the log's length when the counts were read (signed or still being placed). */
  ballotLog: { entries: number; json: string; checkpoint: { size: number; root: string; url: string } } | null;
};
type Results = { topic: { slug: string }; polls: PollResult[] };
/** What a previous run saw, per poll: a later tree must still hold it. */
export type Seen = Record<string, { tree?: { size: number; root: string } }>;
/** One page of ballots.json: `next` is the path of the following page, or null on the last. */
type ViewPage = { poll: { id: number; options: { id: number }[] }; checkpoint: { size: number }; rows: { index: number; leafHash: string }[]; next: string | null };

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

/**
 * Replays a tree's entries: each voter's ballot is their entry with the
 * highest n. A guest's pseudonym starts with "g". `moved` (a guest who signed
 * in) empties the guest's ballot and gives the account the choices it names.
 */
export function replayTree(entries: string[], pollId: number, optionIds: Set<number>): { holders: Map<string, number[]> } | { problem: string } {
  const latest = new Map<string, { n: number; action: string; choices: number[] }>();
  for (const [i, e] of entries.entries()) {
    const m = /^pulse-ballot\/1 (\d+) (\d{4}-\d\d-\d\dT\d\d:00Z) (g?[0-9a-f]{32}) ([1-9]\d*) (cast|change|withdraw|removed|moved)((?: \d+)*)$/.exec(e);
    if (!m || Number(m[1]) !== pollId) return { problem: `entry ${i}: not a ballot event of this poll: "${e.slice(0, 80)}"` };
    const choices = m[6].trim() === "" ? [] : m[6].trim().split(" ").map(Number);
    if (choices.some((c) => !optionIds.has(c))) return { problem: `entry ${i}: choices name an option the poll does not have` };
    if (new Set(choices).size !== choices.length) return { problem: `entry ${i}: choices name an option twice` };
    const had = latest.get(m[3]);
    if (had?.n === Number(m[4])) return { problem: `entry ${i}: voter ${m[3].slice(0, 8)}… has two events numbered ${m[4]}` };
    if (!had || had.n < Number(m[4])) latest.set(m[3], { n: Number(m[4]), action: m[5], choices });
  }
  const holders = new Map<string, number[]>();
  for (const [voter, l] of latest) if ((l.action === "cast" || l.action === "change" || l.action === "moved") && l.choices.length) holders.set(voter, l.choices);
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

/** The readable view (ballots.json, every page) against the tree: the same entries at the same places. */
async function viewProblems(root: string, path: string, tree: Tree): Promise<{ problems: string[]; pollId: number; optionIds: Set<number> }> {
  const problems: string[] = [];
  let first: ViewPage | undefined;
  let index = 0;
  for (let next: string | null = path; next && problems.length < 10; ) {
    const page: ViewPage = await getJson<ViewPage>(`${root}${next}`);
    first ??= page;
    for (const r of page.rows) {
      if (r.index >= tree.size) break;
      if (r.index !== index) problems.push(`ballots.json: entry ${r.index} where ${index} was expected`);
      else if (r.leafHash !== tree.leaves[index].toString("hex")) problems.push(`ballots.json: entry ${index}'s leaf hash is not the tree's`);
      index = r.index + 1;
    }
    next = index < tree.size ? page.next : null;
  }
  if (!problems.length && index < tree.size) problems.push(`ballots.json: shows ${index} entries, the signed tree has ${tree.size}`);
  return { problems, pollId: first?.poll.id ?? -1, optionIds: new Set((first?.poll.options ?? []).map((o) => o.id)) };
}

/** Replays a tree's entries and compares them with results.json's counts; empty when they agree. */
function countProblems(poll: PollResult, tree: Tree, pollId: number, optionIds: Set<number>): string[] {
  const replayed = replayTree(tree.entries, pollId, optionIds);
  if ("problem" in replayed) return [replayed.problem];
  const counts = new Map<number, number>();
  const guestCounts = new Map<number, number>();
  let guests = 0;
  // A ranked ballot's entry lists its choices in rank order; the counts are first choices.
  const ranked = poll.kind === "ranked";
  for (const [voter, choices] of replayed.holders) {
    const guest = voter.startsWith("g");
    if (guest) guests++;
    for (const c of ranked ? choices.slice(0, 1) : choices) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      if (guest) guestCounts.set(c, (guestCounts.get(c) ?? 0) + 1);
    }
  }
  const problems: string[] = [];
  if (replayed.holders.size !== poll.voters) problems.push(`voters: the tree gives ${replayed.holders.size}, results.json says ${poll.voters}`);
  if (guests !== poll.guests) problems.push(`guests: the tree gives ${guests}, results.json says ${poll.guests}`);
  for (const o of poll.options ?? []) {
    const n = counts.get(o.id) ?? 0;
    if (n !== o.count) problems.push(`option "${o.label}" (id ${o.id}): the tree gives ${n}, results.json says ${o.count}`);
    const g = guestCounts.get(o.id) ?? 0;
    if (g !== o.guests) problems.push(`option "${o.label}" (id ${o.id}): the tree gives ${g} guests, results.json says ${o.guests}`);
  }
  if (ranked && poll.options) problems.push(...runoffProblems(poll, [...replayed.holders.values()]));
  return problems;
}

/** A ranked poll: the instant runoff counted again from the tree's ballots, round by round, against results.json's. */
export function runoffProblems(poll: Pick<PollResult, "options" | "runoff">, ballots: number[][]): string[] {
  const mine = instantRunoff(ballots, (poll.options ?? []).map((o) => o.id));
  const theirs = poll.runoff ?? null;
  if (!mine && !theirs) return [];
  if (!mine || !theirs) return [`runoff: the tree gives ${mine ? "a count" : "none"}, results.json ${theirs ? "has one" : "has none"}`];
  type Round = Runoff["rounds"][number] | NonNullable<PollResult["runoff"]>["rounds"][number];
  const shape = (x: Round | undefined) => x && JSON.stringify([x.counts.map((c) => [c.optionId, c.votes]), x.exhausted, x.eliminated, x.transfers]);
  const rounds = Math.max(mine.rounds.length, theirs.rounds.length);
  for (let i = 0; i < rounds; i++) if (shape(mine.rounds[i]) !== shape(theirs.rounds[i])) return [`runoff: round ${i + 1} differs from the tree's count`];
  if (mine.winner !== theirs.winner || JSON.stringify(mine.tied) !== JSON.stringify(theirs.tied)) return [`runoff: the tree gives ${mine.winner === null ? "a tie" : `option ${mine.winner} winning`}, results.json another outcome`];
  return [];
}

/** One poll, once: its problems, and what it proved. `caughtUp` is false while entries wait to be placed. */
async function checkPoll(root: string, poll: PollResult & { ballotLog: NonNullable<PollResult["ballotLog"]> }, key: () => Promise<Verifier>, earlier: Seen[string] | undefined) {
  const cp = poll.ballotLog.checkpoint;
  const caughtUp = cp.size === poll.ballotLog.entries;
  if (cp.size === 0) return { problems: [], caughtUp, summary: "no signed tree yet" };
  const read = await readTree(root, cp.url.replace(/\/checkpoint$/, ""), await key());
  if ("problems" in read) return { problems: read.problems, caughtUp: true, summary: "" };
  const tree = read.tree;
  const problems: string[] = [];
  const rewritten = earlier?.tree ? extendsEarlier(tree, earlier.tree) : null;
  if (rewritten) problems.push(rewritten);
  const view = await viewProblems(root, poll.ballotLog.json, tree);
  problems.push(...view.problems);
  // The counts include every entry; the tree, those placed: they compare once the integrator has caught up.
  // (A checkpoint signed since results.json was read holds entries its counts may not: read again.)
  const comparable = caughtUp && tree.size === cp.size;
  if (!problems.length && comparable) problems.push(...countProblems(poll, tree, view.pollId, view.optionIds));
  const seen = { size: tree.size, root: tree.root.toString("base64") };
  return { problems, caughtUp: comparable, seen, summary: `signed tree of ${tree.size} entries verified, its view matches, ${poll.voters} voters (${poll.guests} guests) and every option's count re-counted, members and guests apart (root ${seen.root.slice(0, 16)}…)` };
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
    for (let attempt = 1; ; attempt++) {
      const poll = results.polls.find((p) => p.slug === slug);
      if (!poll?.ballotLog) {
        summary = "skipped: its results are not public to everyone, so it has no public log";
        problems = [];
        break;
      }
      const checked = await checkPoll(root, { ...poll, ballotLog: poll.ballotLog }, logKey, before[slug]);
      problems = checked.problems;
      if (problems.length === 0 && checked.seen) seen[slug] = { tree: checked.seen };
      if (problems.length || checked.caughtUp || attempt >= ATTEMPTS) {
        summary = checked.caughtUp ? checked.summary : `${checked.summary}; ${poll.ballotLog.entries - poll.ballotLog.checkpoint.size} events were still being placed, so the counts were not re-counted`;
        // Counts read while a ballot changed: if the log moved since, read again; if not, a mismatch is real.
        if (!problems.length || attempt >= ATTEMPTS) break;
      }
      // Entries wait for the integrator (at most a second): read the counts again a little later.
      await new Promise((r) => setTimeout(r, 400));
      const again = await getJson<Results>(resultsUrl());
      const moved = again.polls.find((p) => p.slug === slug)?.ballotLog?.entries !== poll.ballotLog.entries;
      results = again;
      if (problems.length && !moved) break;
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

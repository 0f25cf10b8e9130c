// Re-counts a topic's public results from its ballot logs, as anyone can:
//
//   npm run results:verify -- <base URL> <topic> [--state file.json]
//
// It downloads results.json and every poll's ballots.json (page by page,
// following `next`), checks each hash
// chain, replays the events, and compares the counts with results.json. It
// uses nothing of Pulse but its public URLs (docs/ballot-log.md), so it reads
// as the specification of the check. Exit 0: everything matches. Exit 1: a
// mismatch, with the poll and row. Exit 2: it could not run (usage, network).

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

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
  ballotLog: { rows: number; head: string; json: string } | null;
};
type Results = { topic: { slug: string }; polls: PollResult[] };
/** What a previous run saw, per poll: a later log must still hold it. */
export type Seen = Record<string, { rows: number; head: string }>;

export type Report = { ok: boolean; lines: string[]; seen: Seen };

export class CannotRun extends Error {}

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

/** Verifies every public poll of a topic. Throws CannotRun when the server cannot be read. */
export async function verifyTopic(base: string, topic: string, before: Seen = {}): Promise<Report> {
  const root = base.replace(/\/+$/, "");
  // `Cache-Control: no-cache` (getJson) asks past the shared page cache: the counts as they stand now.
  const resultsUrl = () => `${root}/t/${encodeURIComponent(topic)}/results.json`;
  let results = await getJson<Results>(resultsUrl());
  const lines: string[] = [];
  const seen: Seen = {};
  let ok = true;
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
        seen[slug] = { rows: poll.ballotLog.rows, head: poll.ballotLog.head };
        summary = `${poll.ballotLog.rows} events, chain intact, ${poll.voters} voters and every option's count match (head ${poll.ballotLog.head.slice(0, 16)}…)`;
        break;
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

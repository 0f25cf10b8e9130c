import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { deleteAccount } from "../app/models/account.server";
import { backfillBallotLogs, pseudonym } from "../app/models/ballot-log.server";
import { serverSecret } from "../app/models/secrets.server";
import { integratePending } from "../app/models/tlog.server";
import { castVote, withdrawVote } from "../app/models/ballots.server";
import { banUser } from "../app/models/users.server";
import { db, transaction } from "../db/client";
import { verifyTopic } from "../scripts/results-verify";
import { makeUser, NODE_TS, optionIds, pollId, reopenPrediction, TEST_PASSWORD, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
/** The script as a person runs it, in its own process (the server runs in this one, so never spawnSync). */
async function runScript(base: string): Promise<{ status: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(NODE_TS[0], [...NODE_TS[1], "scripts/results-verify.ts", base, TOPIC], { encoding: "utf8" });
    return { status: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { status: e.code, stdout: e.stdout };
  }
}
const anon = useTestServer();
const TOPIC = "llama-2-license";
const T = `/t/${TOPIC}`;

type Person = Awaited<ReturnType<typeof makeUser>> & { name: string };

/** A busy community: 36 people over five polls, at once, then changes, withdrawals, a ban and a deleted account. */
async function busyCommunity(): Promise<Person[]> {
  // The seeded prediction is resolved and closed; reopened, it takes votes like the others.
  await reopenPrediction();
  const slugs = ["license-opinion", "implications", "statement-misleading", "statement-clause-1v", "llama-3-prediction"];
  const ids = Object.fromEntries(await Promise.all(slugs.map(async (s) => [s, await pollId(t.db(), s)] as const)));
  const opts = Object.fromEntries(await Promise.all(slugs.map(async (s) => [s, await optionIds(t.db(), s)] as const)));
  const people: Person[] = [];
  for (let i = 0; i < 36; i++) people.push({ ...(await makeUser(anon(), `voter${i}`)), name: `voter${i}` });
  const ok = (r: { ok: boolean; message?: string }) => {
    if (!r.ok) throw new Error(r.message);
  };
  // Everyone at once: the chain must come out in one order with no gaps.
  await Promise.all(
    people.map(async (p, i) => {
      ok(await castVote(p.id, ids["license-opinion"], { optionIds: [opts["license-opinion"][i % 4]] }));
      ok(await castVote(p.id, ids.implications, { optionIds: [opts.implications[i % 7], opts.implications[(i + 3) % 7]] }));
      ok(await castVote(p.id, ids["statement-misleading"], { scaleValue: (i % 5) + 1 }));
      if (i % 2) ok(await castVote(p.id, ids["statement-clause-1v"], { scaleValue: 5 - (i % 3) }));
      if (i % 3) ok(await castVote(p.id, ids["llama-3-prediction"], { optionIds: [opts["llama-3-prediction"][i % 4]] }));
    }),
  );
  // Through the form too, as a person would.
  expect((await people[0].client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts["license-opinion"][3]) })).status).toBe(302);
  for (const p of people.slice(1, 8)) ok(await castVote(p.id, ids["license-opinion"], { optionIds: [opts["license-opinion"][2]] }));
  for (const p of people.slice(8, 12)) ok(await withdrawVote(p.id, ids["statement-misleading"]));
  // Withdrawn, then back.
  ok(await castVote(people[8].id, ids["statement-misleading"], { scaleValue: 2 }));
  const mod = await makeUser(anon(), "moderator1", "moderator");
  ok(await banUser({ id: mod.id, role: "moderator" }, people[20].id, "spam", true));
  ok(await deleteAccount(people[21].id, TEST_PASSWORD));
  // What the integrator does four times a second in a running Pulse: the entries placed and signed.
  await integratePending("localhost");
  return people;
}

const logOf = async (slug: string) => {
  const res = await anon().get(`${T}/p/${slug}/ballots.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    poll: { id: number };
    checkpoint: { size: number; root: string };
    rows: { index: number; hour: string; voter: string; n: number; action: string; choices: string; leafHash: string }[];
  };
};

describe("the public ballot log", () => {
  it("re-counts a busy community: every signed tree holds and every tally matches, through the script's exit code too", async () => {
    await busyCommunity();
    const report = await verifyTopic(anon().base, TOPIC);
    expect(report.lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.lines.filter((l) => l.startsWith("ok ") && l.includes("re-counted")).length).toBeGreaterThanOrEqual(5);

    const opinion = await logOf("license-opinion");
    // 36 casts; the form's change and 5 of 7 more (two already held that answer: no event); the ban's removal; the deletion's withdrawal.
    expect(opinion.rows.map((r) => r.action).filter((a) => a === "cast")).toHaveLength(36);
    expect(opinion.rows.filter((r) => r.action === "change")).toHaveLength(6);
    expect(opinion.rows.filter((r) => r.action === "removed")).toHaveLength(1);
    expect(opinion.rows.filter((r) => r.action === "withdraw")).toHaveLength(1);
    expect(opinion.rows.map((r) => r.index)).toEqual(opinion.rows.map((_, i) => i));
    expect(opinion.checkpoint.size).toBe(opinion.rows.length);
    for (const r of opinion.rows) expect(r.hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00Z$/);

    const results = await (await anon().get(`${T}/results.json`)).json();
    const published = results.polls.find((p: { slug: string }) => p.slug === "license-opinion").ballotLog;
    expect(published).toMatchObject({ entries: opinion.rows.length, checkpoint: { size: opinion.rows.length, root: opinion.checkpoint.root }, csv: `${T}/p/license-opinion/ballots.csv` });
    // The results page shows the count and the signed root too.
    const page = (await (await anon().get(`${T}/results`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain(opinion.checkpoint.root.slice(0, 12));
    expect(page).toContain(`${opinion.rows.length} ballot events`);

    const cli = await runScript(anon().base);
    expect(cli.stdout).toContain("Every public tally matches its ballot log.");
    expect(cli.status).toBe(0);
  });

  it("keeps one pseudonym per person within a poll, another in each poll, and nothing that leads to a person", async () => {
    const people = await busyCommunity();
    const opinion = await logOf("license-opinion");
    const implications = await logOf("implications");
    const p0 = people[0];
    const inOpinion = await pseudonym(db(), opinion.poll.id, p0.id);
    const inImplications = await pseudonym(db(), implications.poll.id, p0.id);
    expect(inOpinion).not.toBe(inImplications);
    // Their cast and their change in one poll carry the same name.
    const ofVoter = (rows: typeof opinion.rows, voter: string) => rows.filter((r) => r.voter === voter).sort((a, b) => a.n - b.n).map((r) => `${r.n} ${r.action}`);
    expect(ofVoter(opinion.rows, inOpinion)).toEqual(["1 cast", "2 change"]);
    expect(ofVoter(implications.rows, inImplications)).toEqual(["1 cast"]);
    // The same 36 people voted in both, and no name appears in both.
    const names = (rows: { voter: string }[]) => new Set(rows.map((r) => r.voter));
    expect(names(opinion.rows).size).toBe(36);
    expect([...names(opinion.rows)].filter((v) => names(implications.rows).has(v))).toEqual([]);

    const sessions = (await t.sql("select id from sessions").all()) as { id: string }[];
    expect(sessions.length).toBeGreaterThan(0);
    for (const slug of ["license-opinion", "implications"]) {
      for (const ext of ["json", "csv"]) {
        const text = await (await anon().get(`${T}/p/${slug}/ballots.${ext}`)).text();
        for (const p of people) {
          expect(text).not.toContain(p.id);
          expect(text).not.toContain(p.name);
        }
        for (const s of sessions) expect(text).not.toContain(s.id);
        expect(text).not.toMatch(/voter\d|u_/);
      }
    }
    const csv = await (await anon().get(`${T}/p/license-opinion/ballots.csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("index,hour,voter,n,action,choices,labels,leafHash");
    // Each choice is named too (issue 23): the ids are what the entry holds, the labels what people read.
    const firstCast = csv.split("\r\n").find((l) => l.includes(",cast,"))!;
    expect(firstCast).toMatch(/,1,cast,\d+,[A-Z"]/);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(opinion.rows.length + 1);
  });

  it("fails, and says where, when a tally, an entry or a tile is altered in the database", async () => {
    await busyCommunity();
    const expectFailure = async (pattern: RegExp) => {
      const report = await verifyTopic(anon().base, TOPIC);
      expect(report.ok).toBe(false);
      expect(report.lines.join("\n")).toMatch(pattern);
    };
    const opinion = await pollId(t.db(), "license-opinion");
    const [first] = await optionIds(t.db(), "license-opinion");

    await t.sql("update tallies set count = count + 1 where option_id = ?").run(first);
    await expectFailure(new RegExp(`FAIL license-opinion:\\n  option "It is open source" \\(id ${first}\\): the tree gives \\d+, results.json says \\d+`));
    const cli = await runScript(anon().base);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain("FAIL license-opinion");
    await t.sql("update tallies set count = count - 1 where option_id = ?").run(first);
    expect((await verifyTopic(anon().base, TOPIC)).ok).toBe(true);

    await t.sql("update polls set voter_count = voter_count + 1 where id = ?").run(opinion);
    await expectFailure(/voters: the tree gives \d+, results.json says \d+/);
    await t.sql("update polls set voter_count = voter_count - 1 where id = ?").run(opinion);

    // An entry rewritten (its hour moved to another year, whatever its action): its leaf gives it away.
    const entry3 = (await t.sql("select entry from log_entries where poll_id = ? and idx = 3").get(opinion)) as { entry: string };
    await t.sql("update log_entries set entry = ? where poll_id = ? and idx = 3").run(entry3.entry.replace(/ \d{4}-/, " 1999-"), opinion);
    await expectFailure(/FAIL license-opinion:\n {2}entry 3: its hash is not the leaf the tiles hold \(tile 0\/0\)/);
    await t.sql("update log_entries set entry = ? where poll_id = ? and idx = 3").run(entry3.entry, opinion);

    // A leaf replaced with the entry to match: the root no longer matches the signed one.
    await t.sql("update log_hashes set hash = ? where poll_id = ? and level = 0 and idx = 5").run("ab".repeat(32), opinion);
    await expectFailure(/entry 5: its hash is not the leaf|checkpoint: root .* is not the root/);
  });

  it("publishes a log only while the results are public to everyone, and answers 404 for what does not exist", async () => {
    await busyCommunity();
    await t.sql("update polls set visibility = 'after_close', closes_at = null where slug = 'implications'").run();
    await t.sql("update data_versions set version = version + 1").run();
    const hidden = await anon().get(`${T}/p/implications/ballots.json`);
    expect(hidden.status).toBe(403);
    expect((await hidden.json()).error).toMatch(/not public|public once/);
    expect((await anon().get(`${T}/p/implications/ballots.csv`)).status).toBe(403);
    const results = await (await anon().get(`${T}/results.json`)).json();
    expect(results.polls.find((p: { slug: string }) => p.slug === "implications").ballotLog).toBeNull();
    const report = await verifyTopic(anon().base, TOPIC);
    expect(report.ok).toBe(true);
    expect(report.lines).toContain("ok   implications: skipped: its results are not public to everyone, so it has no public log");
    // Closed, it is public: the whole history, withdrawals included, re-counts.
    await t.sql("update polls set closes_at = ? where slug = 'implications'").run(Date.now() - 1000);
    await t.sql("update data_versions set version = version + 1").run();
    expect((await anon().get(`${T}/p/implications/ballots.json`)).status).toBe(200);
    const after = await verifyTopic(anon().base, TOPIC);
    expect(after.lines.find((l) => l.includes("implications"))).toMatch(/^ok {3}implications: signed tree of \d+ entries verified/);

    expect((await anon().get(`${T}/p/no-such-poll/ballots.json`)).status).toBe(404);
    expect((await anon().get(`/t/no-such-topic/p/license-opinion/ballots.csv`)).status).toBe(404);
    const log = await anon().get(`${T}/p/license-opinion/ballots.json`);
    const etag = log.headers.get("etag")!;
    expect((await anon().get(`${T}/p/license-opinion/ballots.json`, { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("/recount links every public poll's log and its topic's results.json, and no hidden one (issue 23, newcomer 13)", async () => {
    await t.sql("update polls set visibility = 'after_vote' where slug = 'implications'").run();
    const page = (await (await anon().get("/recount")).text()).replaceAll("<!-- -->", "");
    expect(page).toContain(`href="${T}/results.json"`);
    for (const slug of ["license-opinion", "statement-misleading", "future-osi-prediction"]) {
      expect(page).toContain(`href="${T}/p/${slug}/ballots.csv"`);
      expect(page).toContain(`href="${T}/p/${slug}/ballots.json"`);
    }
    expect(page).not.toContain(`${T}/p/implications/ballots`);
  });

  it("is served a page at a time (?after=, ?limit=), each page naming the next, and the pages join into the whole log (issue 23, finding 4)", async () => {
    await busyCommunity();
    const whole = (await (await anon().get(`${T}/p/license-opinion/ballots.json`)).json()) as any;
    expect(whole.next).toBeNull();
    expect(whole.rows).toHaveLength(whole.checkpoint.size);
    const joined: any[] = [];
    let next: string | null = `${T}/p/license-opinion/ballots.json?limit=7`;
    let pages = 0;
    while (next) {
      const res = await anon().get(next);
      expect(res.status).toBe(200);
      const page = (await res.json()) as any;
      expect(page.rows.length).toBeLessThanOrEqual(7);
      expect(page.checkpoint).toEqual(whole.checkpoint);
      if (page.next) expect(res.headers.get("link")).toBe(`<${page.next}>; rel="next"`);
      // A page another client already has is a 304, told apart by its place in the log.
      const etag = res.headers.get("etag")!;
      expect((await anon().get(next, { headers: { "If-None-Match": etag } })).status).toBe(304);
      joined.push(...page.rows);
      next = page.next;
      pages++;
    }
    expect(pages).toBe(Math.ceil(whole.checkpoint.size / 7));
    expect(joined).toEqual(whole.rows);
    // CSV pages too, each with its header.
    const csvPage = await anon().get(`${T}/p/license-opinion/ballots.csv?after=7&limit=7`);
    const lines = (await csvPage.text()).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("index,hour,voter,n,action,choices,labels,leafHash");
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual([7, 8, 9, 10, 11, 12, 13]);
    // Past the end: no rows, no next.
    const past = (await (await anon().get(`${T}/p/license-opinion/ballots.json?after=${whole.checkpoint.size + 50}`)).json()) as any;
    expect(past).toMatchObject({ rows: [], next: null });
    // A bad page is a 400 that says which.
    for (const q of ["after=-1", "after=abc", "limit=0", "limit=1001", "limit=1e3", `after=${"9".repeat(13)}`]) {
      const res = await anon().get(`${T}/p/license-opinion/ballots.json?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as any).error).toMatch(/^(after|limit):/);
    }
  });

  it("remembers a key only once it is stored, so a rolled-back first use leaves no key behind; entries name voters by the stored one", async () => {
    await expect(
      transaction(async (tx) => {
        await serverSecret(tx, "test_only_key");
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await t.sql("select value from server_secrets where name = 'test_only_key'").all()).toEqual([]);
    const made = await transaction((tx) => serverSecret(tx, "test_only_key"));
    const [kept] = (await t.sql("select value from server_secrets where name = 'test_only_key'").all()) as { value: string }[];
    expect(made.toString("hex")).toBe(kept.value);
    const voter = await makeUser(anon(), "first_voter");
    const poll = await pollId(t.db(), "license-opinion");
    expect((await castVote(voter.id, poll, { optionIds: [(await optionIds(t.db(), "license-opinion"))[0]] })).ok).toBe(true);
    const [stored] = (await t.sql("select value from server_secrets where name = 'ballot_log_pseudonyms'").all()) as { value: string }[];
    const [row] = (await t.sql("select voter from log_entries where poll_id = ?").all(poll)) as { voter: string }[];
    expect(row.voter).toBe(createHmac("sha256", Buffer.from(stored.value, "hex")).update(`${poll}:${voter.id}`).digest("hex").slice(0, 32));
    expect(await pseudonym(db(), poll, voter.id)).toBe(row.voter);
  });

  it("writes the log of ballots cast before it existed from their history, once", async () => {
    await busyCommunity();
    const expected = await logOf("license-opinion");
    for (const table of ["log_checkpoints", "log_hashes", "log_entries"]) await t.sql(`delete from ${table}`).run();
    expect(await backfillBallotLogs()).toBeGreaterThanOrEqual(5);
    expect(await backfillBallotLogs()).toBe(0);
    await integratePending("localhost");
    const rebuilt = await logOf("license-opinion");
    // History records the ban's removal as a withdrawal, and forgets the deleted account's ballots.
    expect(rebuilt.rows.length).toBe(expected.rows.length - 2);
    expect((await verifyTopic(anon().base, TOPIC)).ok).toBe(true);
  });
});

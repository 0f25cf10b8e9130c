import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { refreshOpinionMap } from "../app/models/opinion-map.server";
import { rateStatement } from "../app/models/statements.server";
import { allCounts, Client, makeUser, optionIds, pollId, rawSql, TEST_PASSWORD, useFreshDatabase, useTestServer } from "./helpers";

// Issue 28 (A): people's statements, Pol.is-style. The "Done when": a
// newcomer writes a statement, it waits (the seeded topic is strict), a
// moderator accepts it, twenty people rate it, it shows as representative
// of a group on the map, and the newcomer sees where they sit.

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const S = `${T}/statements`;
const text = async (c: Client, path: string) => (await (await c.get(path)).text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");
type Json = { mode: string; minGroupVotes: number; statements: { id: number; body: string; agree: number; disagree: number; pass: number; groups: { group: string; agree: number }[] }[] };
const json = async () => (await (await anon().get(`${S}.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as Json;
const topicId = async () => Number((await rawSql("select id from topics where slug = 'llama-2-license'").get()).id);

describe("people's statements", () => {
  it("a person's statements and ratings are in their export, and leave with their account", async () => {
    const { client: admin } = await makeUser(anon(), "boss", "admin");
    expect((await admin.post("/admin/statements", { intent: "mode", topic: String(await topicId()), mode: "lazy" })).status).toBe(302);
    const { client: me, id } = await makeUser(anon(), "leaver");
    expect((await me.post(S, { intent: "write", body: "I was here, and I said so." })).status).toBe(302);
    expect((await me.post(S, { intent: "rate", statement: "1", vote: "disagree" })).status).toBe(302);
    const exported = (await (await me.get("/settings/export.json")).json()) as { statements: { body: string; status: string }[]; statementRatings: { vote: string }[] };
    expect(exported.statements).toMatchObject([{ body: "I was here, and I said so.", status: "accepted" }]);
    expect(exported.statementRatings).toMatchObject([{ vote: "disagree" }]);
    expect((await me.post("/settings", { intent: "delete", current: TEST_PASSWORD, confirm: "delete my account" })).status).toBe(302);
    expect(Number((await rawSql("select count(*) as n from statement_votes where user_id = ?").get(id)).n)).toBe(0);
    expect(await rawSql("select body, status from statements where author_id = ?").get(id)).toMatchObject({ body: "", status: "hidden" });
    expect((await json()).statements.some((x) => x.body.includes("I was here"))).toBe(false);
  });

  it("a newcomer's statement waits, is accepted, is rated by twenty, represents a group on the map, and the newcomer sees where they sit", async () => {
    const newbie = anon().fork();
    expect((await newbie.signup("newcomer")).status).toBe(302);
    const body = "Meta owes developers a plain-language summary of what the license forbids.";
    const wrote = await newbie.post(S, { intent: "write", body });
    expect(wrote.status).toBe(302);
    expect(wrote.headers.get("location")).toMatch(/\?waiting=\d+#write$/);
    const id = Number(/waiting=(\d+)/.exec(wrote.headers.get("location")!)![1]);
    // Waiting: in nobody's list but its author's, and in no file.
    expect(await text(newbie, S)).toContain(`${body} (waiting for a moderator)`);
    expect(await text(anon().fork(), S)).not.toContain(body);
    expect((await json()).statements.some((s) => s.id === id)).toBe(false);

    const { client: mod } = await makeUser(anon(), "moddy", "moderator");
    const { client: member } = await makeUser(anon(), "plainmember");
    expect((await member.post("/admin/statements", { intent: "accept", statement: String(id), reason: "" })).status).toBe(403);
    expect(await text(mod, "/admin/statements")).toContain(body);
    expect((await mod.post("/admin/statements", { intent: "accept", statement: String(id), reason: "" })).status).toBe(302);
    expect((await json()).statements.find((s) => s.id === id)).toMatchObject({ body, agree: 0 });

    // Two camps of ten answer two questions apart, and rate the statement (and two seeds) apart.
    const opinion = await optionIds(t.db(), "license-opinion");
    const scale = await pollId(t.db(), "statement-misleading");
    const opinionPoll = await pollId(t.db(), "license-opinion");
    const seeds = ((await rawSql("select id from statements where seed order by id").all()) as { id: number }[]).map((r) => Number(r.id));
    for (let i = 0; i < 20; i++) {
      const camp = i < 10 ? 0 : 1;
      const { id: u } = await makeUser(anon(), `rater${i}`);
      expect((await castVote(u, opinionPoll, { optionIds: [opinion[camp === 0 ? 0 : 2]] })).ok).toBe(true);
      expect((await castVote(u, scale, { scaleValue: camp === 0 ? 1 : 5 })).ok).toBe(true);
      expect((await rateStatement(u, id, camp === 0 ? 1 : -1)).ok).toBe(true);
      expect((await rateStatement(u, seeds[0], camp === 0 ? -1 : 1)).ok).toBe(true);
      expect((await rateStatement(u, seeds[1], 0)).ok).toBe(true);
      expect((await rateStatement(u, seeds[2], camp === 0 ? 1 : -1)).ok).toBe(true);
    }
    expect(await refreshOpinionMap(await topicId())).toBe(true);
    type Map = { groups: { name: string; size: number }[]; statements: { count: number; representative: { statementId: number; repfulFor: string; n: number; of: number }[][]; consensus: unknown[] } };
    const map = (await (await anon().get(`${T}/map.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as Map;
    expect(map.groups.map((g) => g.size).sort()).toEqual([10, 10]);
    const reps = map.statements.representative.flat().filter((r) => r.statementId === id);
    expect(reps.map((r) => r.repfulFor).sort()).toEqual(["agree", "disagree"]);
    expect(reps.every((r) => r.n === 10 && r.of === 10)).toBe(true);
    const page = await text(anon().fork(), `${T}/map`);
    expect(page).toContain("stands for");
    expect(page).toContain(`“${body}”: 92% agree (10 of 10)`);
    // Per group in the file: each group rated it ten times.
    expect((await json()).statements.find((s) => s.id === id)!.groups.map((g) => g.agree).sort()).toEqual([0, 10]);

    // The newcomer rates; they are told which group they are closest to, and where they part from it.
    await newbie.post(S, { intent: "rate", statement: String(id), vote: "agree" });
    await newbie.post(S, { intent: "rate", statement: String(seeds[2]), vote: "agree" });
    expect((await newbie.post(S, { intent: "rate", statement: String(seeds[0]), vote: "agree" })).status).toBe(302);
    const mine = await text(newbie, S);
    const camp0 = map.statements.representative.findIndex((list) => list.some((r) => r.statementId === id && r.repfulFor === "agree"));
    expect(mine).toContain(`Your ratings and answers are closest to <strong>${map.groups[camp0].name}</strong>`);
    expect(mine).toContain(`you agreed; 92% of ${map.groups[camp0].name} disagree`);
    // Only they see it.
    expect(await text(member, S)).not.toContain("Where you sit");

    // A hidden statement leaves the counts, the file and the map's matrix.
    expect((await mod.post("/admin/statements", { intent: "hide", statement: String(id), reason: "test" })).status).toBe(302);
    expect((await json()).statements.some((s) => s.id === id)).toBe(false);
    await refreshOpinionMap(await topicId());
    const after = (await (await anon().get(`${T}/map.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as Map;
    expect(after.statements.count).toBe(map.statements.count - 1);
    expect(after.statements.representative.flat().some((r) => r.statementId === id)).toBe(false);
  });

  it("rates one statement at a time, the least-rated first, without a reload with JavaScript; refuses bad input with nothing written", async () => {
    const { client: me, id: meId } = await makeUser(anon(), "rater");
    const first = await text(me, S);
    const shownCount = (await json()).statements.length;
    expect(shownCount).toBe(10);
    expect(first).toContain('data-testid="next-statement"');
    for (let i = 0; i < shownCount; i++) {
      const nextId = /name="statement" value="(\d+)"/.exec(await text(me, S))![1];
      const res = await me.post(`${S}?_data=routes%2Ft.%24topic.statements`, { intent: "rate", statement: nextId, vote: i % 2 ? "agree" : "pass", via: "fetcher" });
      expect(await res.json()).toMatchObject({ ok: true });
    }
    expect(Number((await rawSql("select count(*) as n from statement_votes where user_id = ?").get(meId)).n)).toBe(shownCount);
    expect(await text(me, S)).toContain(`You have rated all ${shownCount} statements.`);

    const before = await allCounts(t.db());
    const bad: [Record<string, string>, number, string][] = [
      [{ intent: "write", body: "x".repeat(141) }, 400, "At most 140 characters"],
      [{ intent: "write", body: "   " }, 400, "Write your statement."],
      [{ intent: "write", body: "\u0000\u0001 \u007f" }, 400, "Write your statement."],
      [{ intent: "write", body: "Calling Llama open source hurts what the term means for everyone." }, 409, "here already"],
      [{ intent: "rate", statement: "999999", vote: "agree" }, 404, "No such statement"],
      [{ intent: "rate", statement: "1", vote: "maybe" }, 400, "Agree, disagree or pass."],
      [{ intent: "shout" }, 400, "Unknown action."],
    ];
    for (const [fields, status, message] of bad) {
      const res = await me.post(S, fields);
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect((await res.text()).replaceAll("&#x27;", "'")).toContain(message);
    }
    expect(await allCounts(t.db())).toEqual(before);
    // Signed out: sent to sign in, nothing written.
    expect((await anon().fork().post(S, { intent: "rate", statement: "1", vote: "agree" })).status).toBe(302);
    expect(await allCounts(t.db())).toEqual(before);
  });

  it("a new account writes three statements a day; a lazy topic shows them at once; a closed one takes none", async () => {
    const { client: admin } = await makeUser(anon(), "boss", "admin");
    const tid = await topicId();
    expect((await admin.post("/admin/statements", { intent: "mode", topic: String(tid), mode: "lazy" })).status).toBe(302);
    const fresh = anon().fork();
    expect((await fresh.signup("freshling")).status).toBe(302);
    for (let i = 0; i < 3; i++) expect((await fresh.post(S, { intent: "write", body: `Idea number ${i} about the license.` })).headers.get("location")).toMatch(/written=/);
    expect((await json()).statements.filter((s) => s.body.startsWith("Idea number"))).toHaveLength(3);
    const fourth = await fresh.post(S, { intent: "write", body: "Idea number 3 about the license." });
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get("retry-after")).toBeTruthy();
    expect((await admin.post("/admin/statements", { intent: "mode", topic: String(tid), mode: "off" })).status).toBe(302);
    const closed = await fresh.post(S, { intent: "write", body: "Another one." });
    expect(closed.status).toBe(409);
    expect(await text(anon().fork(), S)).toContain("This topic takes no statements.");
    // Only admins set the mode; moderators moderate.
    const { client: mod } = await makeUser(anon(), "moddy", "moderator");
    expect((await mod.post("/admin/statements", { intent: "mode", topic: String(tid), mode: "lazy" })).status).toBe(403);
  });
});

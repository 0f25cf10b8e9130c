import { describe, expect, it } from "vitest";
import { integratePending } from "../app/models/tlog.server";
import { verifyTopic } from "../scripts/results-verify";
import { Client, ENGINE, count, expectConsistent, makeUser, optionIds, pollId, rawSql, startTestServer, useFreshDatabase, useTestServer } from "./helpers";

// Issue 27: taking part without an account. A guest is one browser (a cookie);
// they answer where a poll allows it, change and withdraw like anyone, are
// counted apart from members everywhere results are shown, and bring their
// answers along when they sign up or in.

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";

type Results = { polls: { slug: string; voters: number; guests: number; options: { id: number; count: number; guests: number }[] | null }[] };
const results = async (c: Client) => (await (await c.get(`${T}/results.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as Results;
const pollOf = async (c: Client, slug: string) => (await results(c)).polls.find((p) => p.slug === slug)!;
const guestCookie = (c: Client) => c.cookies.get("pulse_guest");
// A boolean column as each engine stores it.
const ENGINE_TRUE = ENGINE === "pg" ? true : 1;

describe("guest answers", () => {
  it("a browser with no account answers an opinion poll: a year-long HttpOnly cookie, its answer shown to it, counted as a guest", async () => {
    const guest = anon().fork();
    const [first, second] = await optionIds(t.db(), "license-opinion");
    const res = await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: String(first) });
    expect(res.status).toBe(302);
    const set = res.headers.getSetCookie().find((c) => c.startsWith("pulse_guest="))!;
    expect(set).toMatch(/; Path=\//);
    expect(set).toMatch(/Max-Age=31536000/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Partitioned/);
    expect(guestCookie(guest)).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // Their page is theirs: their answer, never a shared copy.
    const page = await guest.get(`${T}/p/license-opinion`);
    expect(page.headers.get("cache-control")).toMatch(/private/);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    expect(html).toContain("You answered");
    expect(html).toContain("You answer as a guest");
    // Their receipt, under a guest's pseudonym (a "g" before it).
    const receipt = await guest.get(`${T}/p/license-opinion/receipt`);
    expect(receipt.status).toBe(200);
    expect(((await receipt.json()) as { entry: string }).entry).toMatch(/^pulse-ballot\/1 \d+ \S+ g[0-9a-f]{32} 1 cast \d+$/);
    // Anyone else still gets the shared page, without that answer.
    const other = (await anon().fork().get(`${T}/p/license-opinion`)).text();
    expect(await other).not.toContain("You answered");

    // Changed, withdrawn, answered again: still one ballot, one guest.
    expect((await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: String(second) })).status).toBe(302);
    expect(await pollOf(anon(), "license-opinion")).toMatchObject({ voters: 1, guests: 1 });
    const o = (await pollOf(anon(), "license-opinion")).options!;
    expect(o.find((x) => x.id === second)).toMatchObject({ count: 1, guests: 1 });
    expect(o.find((x) => x.id === first)).toMatchObject({ count: 0, guests: 0 });
    expect((await guest.post(`${T}/p/license-opinion`, { intent: "withdraw" })).status).toBe(302);
    expect(await pollOf(anon(), "license-opinion")).toMatchObject({ voters: 0, guests: 0 });
    expect((await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: String(first) })).status).toBe(302);
    expect(await count(t.db(), "ballots")).toBe(1);
    // A guest is no person: not in the admin's list of people.
    const admin = await makeUser(anon(), "admin1", "admin");
    expect(await (await admin.client.get("/admin/users")).text()).not.toContain("guest~");
    await expectConsistent(t.db(), expect);
  });

  it("a scale poll with JavaScript (a fetcher) sets the cookie on its JSON answer", async () => {
    const guest = anon().fork();
    const res = await guest.post(`${T}/p/statement-misleading?_data=routes%2Ft.%24topic.p.%24poll`, { intent: "vote", value: "4", via: "fetcher" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    expect(guestCookie(guest)).toBeTruthy();
    expect(await pollOf(anon(), "statement-misleading")).toMatchObject({ voters: 1, guests: 1 });
  });

  it("predictions and polls that do not allow guests send a guest to sign in, and nothing is written", async () => {
    const guest = anon().fork();
    const opts = await optionIds(t.db(), "future-osi-prediction");
    const res = await guest.post(`${T}/p/future-osi-prediction`, { intent: "vote", option: String(opts[0]) });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(guestCookie(guest)).toBeUndefined();
    expect(await count(t.db(), "ballots")).toBe(0);
    expect(await count(t.db(), "users")).toBe(0);
    // The page says so: no answer form for a guest there, the way in instead.
    const html = await (await guest.get(`${T}/p/future-osi-prediction`)).text();
    expect(html).toContain("Sign in to vote");
  });

  it("refused input from a guest writes nothing: no ballot, no guest row beyond the cookie's", async () => {
    const guest = anon().fork();
    const res = await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: "999999" });
    expect(res.status).toBe(400);
    expect(await count(t.db(), "ballots")).toBe(0);
    expect(await count(t.db(), "tally_deltas")).toBe(0);
    const bad = await guest.post(`${T}/p/license-opinion`, { intent: "nonsense" });
    expect(bad.status).toBe(400);
    expect(await count(t.db(), "ballots")).toBe(0);
  });

  it("a guest who signs up keeps their answers; one who signs in keeps those the account lacks, and counts once", async () => {
    const guest = anon().fork();
    const opinion = await optionIds(t.db(), "license-opinion");
    expect((await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opinion[1]) })).status).toBe(302);
    expect((await guest.post(`${T}/p/statement-clause-1v`, { intent: "vote", value: "5" })).status).toBe(302);
    expect(await pollOf(anon(), "license-opinion")).toMatchObject({ voters: 1, guests: 1 });

    const signup = await guest.signup("newcomer");
    expect(signup.status).toBe(302);
    // The guest cookie is cleared: the browser is the account's now.
    expect(guestCookie(guest)).toBeUndefined();
    const html = (await (await guest.get(`${T}/p/license-opinion`)).text()).replaceAll("<!-- -->", "");
    expect(html).toContain("You answered");
    expect(await pollOf(anon(), "license-opinion")).toMatchObject({ voters: 1, guests: 0 });
    expect(await pollOf(anon(), "statement-clause-1v")).toMatchObject({ voters: 1, guests: 0 });
    const owner = (await rawSql("select u.username from ballots b join users u on u.id = b.user_id").pluck().all()) as string[];
    expect(owner).toEqual(["newcomer", "newcomer"]);

    // Another browser answers as a guest, then signs in to an account that answered already: the account's answer stands.
    const member = await makeUser(anon(), "member1");
    expect((await member.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opinion[0]) })).status).toBe(302);
    const second = anon().fork();
    expect((await second.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opinion[3]) })).status).toBe(302);
    expect((await second.post(`${T}/p/implications`, { intent: "vote", option: String((await optionIds(t.db(), "implications"))[0]) })).status).toBe(302);
    expect(await pollOf(anon(), "license-opinion")).toMatchObject({ voters: 3, guests: 1 });
    expect((await second.login("member1")).status).toBe(302);
    const after = await pollOf(anon(), "license-opinion");
    expect(after).toMatchObject({ voters: 2, guests: 0 });
    expect(after.options!.find((o) => o.id === opinion[0])!.count).toBe(1);
    expect(after.options!.find((o) => o.id === opinion[3])!.count).toBe(0);
    expect(await pollOf(anon(), "implications")).toMatchObject({ voters: 1, guests: 0 });
    await expectConsistent(t.db(), expect);

    // The log says what moved, and the re-count agrees with members and guests apart.
    await integratePending("localhost");
    const log = (await (await anon().get(`${T}/p/license-opinion/ballots.json`)).json()) as { rows: { voter: string; action: string; choices: string }[] };
    const moved = log.rows.filter((r) => r.action === "moved");
    expect(moved).toHaveLength(2);
    expect(moved.find((r) => r.voter.startsWith("g"))!.choices).toBe("");
    expect(moved.find((r) => !r.voter.startsWith("g"))!.choices).toBe(String(opinion[1]));
    expect(log.rows.filter((r) => r.voter.startsWith("g") && r.action === "withdraw")).toHaveLength(1);
    const report = await verifyTopic(anon().base, "llama-2-license");
    expect(report.lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("members and guests apart in results.json, results.csv, the results page (either view) and the log's re-count", async () => {
    const opts = await optionIds(t.db(), "license-opinion");
    for (let i = 0; i < 3; i++) expect((await anon().fork().post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) })).status).toBe(302);
    const m = await makeUser(anon(), "member2");
    expect((await m.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[1]) })).status).toBe(302);
    const poll = await pollOf(anon(), "license-opinion");
    expect(poll).toMatchObject({ voters: 4, guests: 3 });
    expect(poll.options!.slice(0, 2).map((o) => [o.count, o.guests])).toEqual([
      [3, 3],
      [1, 0],
    ]);
    const csv = await (await anon().get(`${T}/results.csv`)).text();
    const [head, ...lines] = csv.trim().split("\r\n");
    expect(head.endsWith(",member_voters,guest_voters,member_count,guest_count,round,round_counted")).toBe(true);
    const row = lines.find((l) => l.includes("license-opinion") && l.includes("It is open source"))!;
    expect(row.endsWith(",1,3,0,3,,")).toBe(true);

    const page = async (q: string) => (await (await anon().get(`${T}/results${q}`)).text()).replaceAll("<!-- -->", "");
    expect(await page("")).toContain('data-testid="voters-license-opinion">4 voters</span><span data-testid="split-license-opinion"> (1 member, 3 guests)');
    const guests = await page("?who=guests");
    expect(guests).toContain('<strong aria-current="true">Guests</strong>');
    expect(guests).toContain('data-testid="voters-license-opinion">3 voters');
    expect(await page("?who=members")).toContain('data-testid="voters-license-opinion">1 voter');

    await integratePending("localhost");
    const report = await verifyTopic(anon().base, "llama-2-license");
    expect(report.ok).toBe(true);
    // A tampered guest count in results.json would be caught: the check compares guests too.
    expect(report.lines.join("\n")).toContain("3 guests");
  });

  it("a guest who answered a poll whose results show after answering sees them, on its page and on the results page", async () => {
    await rawSql("update polls set visibility = 'after_vote' where slug = 'statement-misleading'").run();
    const guest = anon().fork();
    expect((await guest.post(`${T}/p/statement-misleading`, { intent: "vote", value: "5" })).status).toBe(302);
    const hidden = "Results show to people who have answered";
    const mine = (await (await guest.get(`${T}/results`)).text()).replaceAll("<!-- -->", "");
    const section = mine.slice(mine.indexOf('id="poll-statement-misleading"'));
    expect(section.slice(0, 3000)).toContain("Strongly agree");
    expect(section.slice(0, 3000)).not.toContain(hidden);
    const theirs = (await (await anon().fork().get(`${T}/results`)).text()).replaceAll("<!-- -->", "");
    expect(theirs.slice(theirs.indexOf('id="poll-statement-misleading"')).slice(0, 3000)).toContain(hidden);
  });

  it("many guests at once: every answer counted once, members and guests apart", async () => {
    const id = await pollId(t.db(), "implications");
    const opts = await optionIds(t.db(), "implications");
    const guests = Array.from({ length: 30 }, () => anon().fork());
    const statuses = await Promise.all(guests.map((g, i) => g.post(`${T}/p/implications`, { intent: "vote", option: [String(opts[i % 3]), String(opts[3])] }).then((r) => r.status)));
    expect(statuses.every((s) => s === 302)).toBe(true);
    // Each changes once, at once.
    await Promise.all(guests.map((g) => g.post(`${T}/p/implications`, { intent: "vote", option: String(opts[4]) })));
    const poll = await pollOf(anon(), "implications");
    expect(poll).toMatchObject({ voters: 30, guests: 30 });
    expect(poll.options!.find((o) => o.id === opts[4])).toMatchObject({ count: 30, guests: 30 });
    expect(poll.options!.find((o) => o.id === opts[3])).toMatchObject({ count: 0, guests: 0 });
    expect(Number(await rawSql("select count(*) from ballots where poll_id = ?").pluck().get(id))).toBe(30);
    await expectConsistent(t.db(), expect);
  });
});

describe("which polls take guests", () => {
  it("an admin chooses per poll; a prediction never takes guests (400 on that field, nothing written)", async () => {
    const { createPoll, pollForm } = await import("../app/models/polls.server");
    const topicId = Number(await rawSql("select id from topics where slug = 'llama-2-license'").pluck().get());
    const polls = await count(t.db(), "polls");
    const refused = await createPoll(topicId, pollForm({ slug: "guess", question: "A guess?", kind: "single", options: ["Yes", "No"], isPrediction: true, resolutionCriteria: "Resolved by the admins.", allowGuests: true }));
    expect(refused).toMatchObject({ ok: false, code: "invalid", field: "allowGuests" });
    expect(await count(t.db(), "polls")).toBe(polls);
    const made = await createPoll(topicId, pollForm({ slug: "open-q", question: "An open question?", kind: "single", options: ["Yes", "No"], allowGuests: true }));
    expect(made.ok).toBe(true);
    const seeded = (await rawSql("select slug from polls where allow_guests = ? order by position, id").pluck().all(ENGINE_TRUE)) as string[];
    expect(seeded).toEqual(["license-opinion", "implications", "statement-misleading", "statement-clause-1v", "open-license-change", "open-q"]);
  });
});

describe("guest limits", () => {
  it("caps new guest answers per address and poll (GUEST_BALLOTS_PER_ADDRESS); changes are not capped; other polls have their own cap", async () => {
    const server = await startTestServer({ RATE_LIMITS: "on", GUEST_BALLOTS_PER_ADDRESS: "3" });
    try {
      const base = new Client(server.url);
      const opts = await optionIds(t.db(), "license-opinion");
      const guests = [base.fork(), base.fork(), base.fork()];
      for (const g of guests) expect((await g.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) })).status).toBe(302);
      const fourth = base.fork();
      const refused = await fourth.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.text()).toContain("new guest answers to this question from your network");
      expect(await count(t.db(), "ballots")).toBe(3);
      // Those who answered may still change their minds.
      expect((await guests[0].post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[1]) })).status).toBe(302);
      // Another question is another count; a member is not a guest.
      expect((await fourth.post(`${T}/p/statement-misleading`, { intent: "vote", value: "2" })).status).toBe(302);
      const m = await makeUser(base, "member3");
      expect((await m.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[2]) })).status).toBe(302);
      expect(await count(t.db(), "ballots")).toBe(5);
    } finally {
      await server.close();
    }
  });

  it("holds a guest's browser to a member's pace of changes (60 a minute)", async () => {
    const server = await startTestServer({ RATE_LIMITS: "on" });
    try {
      const guest = new Client(server.url);
      const opts = await optionIds(t.db(), "license-opinion");
      const statuses: number[] = [];
      for (let i = 0; i < 62; i++) statuses.push((await guest.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[i % 2]) })).status);
      // The first answer makes the guest; the 60 after it are the minute's changes; the next is refused.
      expect(statuses.slice(0, 61).every((s) => s === 302)).toBe(true);
      expect(statuses.slice(61)).toEqual([429]);
      expect(await count(t.db(), "ballots")).toBe(1);
    } finally {
      await server.close();
    }
  });
});

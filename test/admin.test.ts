import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { postComment } from "../app/models/comments.server";
import { allCounts, type Client, makeUser, NODE_TS, optionIds, pollId, reopenPrediction, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";

const q = async (sql: string, ...args: unknown[]) => (await t.sql(sql).get(...args)) as Record<string, any>;
const log = async () => (await t.sql("select action, target_type, target_id, reason, actor_id from moderation_log order by id").all()) as Record<string, any>[];

async function people() {
  const admin = await makeUser(anon(), "root_admin", "admin");
  const mod = await makeUser(anon(), "the_mod", "moderator");
  const member = await makeUser(anon(), "plain_member", "member");
  return { admin, mod, member };
}

let clock = Date.now() - 1_000_000;
async function comment(userId: string, body: string) {
  const res = await postComment({ userId, topicId: 1, pollId: null, parentId: null, body, stanceOptionId: null }, (clock += 6000));
  if (!res.ok) throw new Error(res.message);
  return res.id;
}

const pollForm = (over: Record<string, string | string[]> = {}) => ({
  intent: "save",
  slug: "new-poll",
  question: "Is this a good question?",
  descriptionMd: "",
  kind: "single",
  options: ["Yes", "No", ""],
  optionIds: ["new", "new", "new"],
  minChoices: "1",
  maxChoices: "1",
  scaleMinLabel: "",
  scaleMaxLabel: "",
  visibility: "always",
  closesAt: "",
  resolutionCriteria: "",
  ...over,
});

describe("access control matrix", () => {
  type Who = "anonymous" | "member" | "moderator" | "admin";
  const adminOnlyGets = ["/admin/topics", "/admin/topics/new", "/admin/topics/llama-2-license", "/admin/polls/new?topic=llama-2-license", "/admin/polls/1"];
  const modGets = ["/admin/reports", "/admin/users", "/admin/log"];

  it("GET: anonymous -> login, member -> 403, moderator -> moderation only, admin -> all", async () => {
    const { admin, mod, member } = await people();
    const clients: Record<Who, Client> = { anonymous: anon(), member: member.client, moderator: mod.client, admin: admin.client };
    for (const [who, c] of Object.entries(clients) as [Who, Client][]) {
      for (const p of [...adminOnlyGets, ...modGets, "/admin"]) {
        const before = (await allCounts(t.db()));
        const res = await c.get(p);
        const allowed = who === "admin" || (who === "moderator" && (modGets.includes(p) || p === "/admin"));
        if (who === "anonymous") {
          expect(res.status, `${who} ${p}`).toBe(302);
          expect(res.headers.get("location"), p).toMatch(/^\/login\?redirectTo=/);
        } else if (p === "/admin" && allowed) {
          expect(res.status).toBe(302);
          expect(res.headers.get("location")).toBe(who === "admin" ? "/admin/topics" : "/admin/reports");
        } else {
          expect(res.status, `${who} ${p}`).toBe(allowed ? 200 : 403);
        }
        expect((await allCounts(t.db()))).toEqual(before);
      }
    }
  });

  it("POST: every action refused for the wrong role, and nothing written", async () => {
    const { admin, mod, member } = await people();
    const c = await comment(member.id, "reported comment");
    await t.sql("insert into reports (comment_id, reporter_id, reason, created_at) values (?, ?, 'spam', 0)").run(c, admin.id);
    const report = ((await q("select id from reports")) as { id: number }).id;
    const actions: [string, Record<string, string | string[]>, "admin" | "moderator"][] = [
      ["/admin/topics/new", { intent: "save", slug: "x-topic", title: "A topic", summaryMd: "Text", sourceUrl: "" }, "admin"],
      ["/admin/topics/llama-2-license", { intent: "lock" }, "admin"],
      ["/admin/topics/llama-2-license", { intent: "save", slug: "llama-2-license", title: "Renamed", summaryMd: "Text", sourceUrl: "" }, "admin"],
      ["/admin/polls/new?topic=llama-2-license", pollForm(), "admin"],
      ["/admin/polls/1", { intent: "close" }, "admin"],
      ["/admin/polls/2", { intent: "resolve", optionId: String((await optionIds(t.db(), "llama-3-prediction"))[1]) }, "admin"],
      ["/admin/users", { intent: "role", user: member.id, role: "moderator" }, "admin"],
      ["/admin/reports", { intent: "dismiss", report: String(report) }, "moderator"],
      ["/admin/users", { intent: "ban", user: member.id }, "moderator"],
      ["/admin/threads", { intent: "lock", topic: "llama-2-license", redirectTo: T }, "moderator"],
      [`/c/${c}`, { intent: "remove", reason: "rude" }, "moderator"],
    ];
    const refused: Record<string, Client[]> = { admin: [anon(), member.client, mod.client], moderator: [anon(), member.client] };
    for (const [p, fields, needs] of actions) {
      for (const who of refused[needs]) {
        const before = (await allCounts(t.db()));
        const snapshot = JSON.stringify([(await q("select * from topics where id = 1")), (await q("select * from polls where id = 1")), (await q("select role, banned from users where id = ?", member.id))]);
        const res = await who.post(p, fields);
        if (who === refused[needs][0]) {
          expect(res.status, `anonymous ${p}`).toBe(302);
          expect(res.headers.get("location")).toMatch(/^\/login/);
        } else {
          expect(res.status, `${p} ${JSON.stringify(fields)}`).toBe(403);
        }
        expect((await allCounts(t.db()))).toEqual(before);
        expect(JSON.stringify([(await q("select * from topics where id = 1")), (await q("select * from polls where id = 1")), (await q("select role, banned from users where id = ?", member.id))])).toBe(snapshot);
      }
    }
    // The allowed roles succeed (each writes a log line).
    const allowedClient = (needs: string) => (needs === "admin" ? admin.client : mod.client);
    for (const [p, fields, needs] of actions) {
      if (p === "/admin/users" && fields.intent === "ban") continue; // banning ends the member's sessions; tested below
      const res = await allowedClient(needs).post(p, fields);
      expect(res.status, `${needs} ${p} ${fields.intent}`).toBe(302);
    }
    expect((await log()).length).toBeGreaterThanOrEqual(actions.length - 1);
  });
});

describe("topics and polls", () => {
  it("creates a topic, refuses a duplicate slug and bad fields with messages", async () => {
    const { admin } = await people();
    const ok = await admin.client.post("/admin/topics/new", { intent: "save", slug: "second-topic", title: "A second topic", summaryMd: "Some *text*", sourceUrl: "https://example.com/x" });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/admin/topics/second-topic");
    expect((await anon().get("/t/second-topic")).status).toBe(200);
    // Left empty, the slug is made from the title (issue 23, newcomer 11).
    const derived = await admin.client.post("/admin/topics/new", { intent: "save", slug: "", title: "Weights: are they source?", summaryMd: "Text.", sourceUrl: "" });
    expect(derived.headers.get("location")).toBe("/admin/topics/weights-are-they-source");
    const before = (await allCounts(t.db()));
    const dup = await admin.client.post("/admin/topics/new", { intent: "save", slug: "second-topic", title: "Again", summaryMd: "x", sourceUrl: "" });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain("That slug is taken.");
    const bad = await admin.client.post("/admin/topics/new", { intent: "save", slug: "Bad Slug!", title: "x", summaryMd: "", sourceUrl: "javascript:alert(1)" });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("Use lowercase letters");
    expect(text).toContain("Give a full http(s) link");
    expect(text).toContain("Write a summary.");
    expect((await allCounts(t.db()))).toEqual(before);
    const preview = await admin.client.post("/admin/topics/new", { intent: "preview", slug: "p-topic", title: "Preview me", summaryMd: "**bold**", sourceUrl: "" });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("<strong>bold</strong>");
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it.each([
    ["fewer than two options", { options: ["Only one", "", ""] }, "at least two options"],
    ["min above max", { kind: "multiple", options: ["a", "b", "c"], minChoices: "3", maxChoices: "2" }, "minimum cannot be above the maximum"],
    ["max above the number of options", { kind: "multiple", options: ["a", "b", "c"], minChoices: "1", maxChoices: "5" }, "maximum cannot be above"],
    ["a close time in the past", { closesAt: "2020-01-01T00:00" }, "must be in the future"],
    ["a prediction without criteria", { isPrediction: "on" }, "needs written resolution criteria"],
    ["a bad slug", { slug: "no spaces" }, "Use lowercase letters"],
    ["duplicate options", { options: ["Yes", "yes", ""] }, "must differ"],
    ["an unknown kind", { kind: "plurality" }, "Pick a kind"],
    ["guests on a prediction", { isPrediction: "on", resolutionCriteria: "Resolved by the admins.", allowGuests: "on" }, "Predictions are scored per person: guests cannot answer them."],
  ])("refuses a poll with %s", async (_n, over, message) => {
    const { admin } = await people();
    const before = (await allCounts(t.db()));
    const res = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm(over as Record<string, string | string[]>));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("lets guests answer a poll when the admin ticks it in the form, and only then", async () => {
    const { admin } = await people();
    expect((await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "open-to-guests", allowGuests: "on" }))).status).toBe(302);
    expect((await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "members-only" }))).status).toBe(302);
    const rows = await t.sql("select slug, allow_guests from polls where slug in ('open-to-guests', 'members-only') order by slug").all();
    expect(rows.map((r: any) => [r.slug, Boolean(r.allow_guests)])).toEqual([
      ["members-only", false],
      ["open-to-guests", true],
    ]);
    const id = (await t.sql("select id from polls where slug = 'open-to-guests'").get() as { id: number }).id;
    expect(await (await admin.client.get(`/admin/polls/${id}`)).text()).toMatch(/<input type="checkbox" name="allowGuests" checked=""/);
  });

  it("creates every kind; once voted, options can be renamed or added, never removed or reordered", async () => {
    const { admin, member } = await people();
    const dup = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "license-opinion" }));
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain("That slug is taken in this topic.");
    for (const [slug, kind] of [["s-scale", "scale"], ["s-multi", "multiple"]]) {
      const r = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug, kind, options: ["a", "b", "c"], optionIds: ["new", "new", "new"], maxChoices: "2", scaleMinLabel: "Nope", scaleMaxLabel: "Yes!" }));
      expect(r.status, slug).toBe(302);
    }
    expect((await q("select scale_min_label as a, scale_max_label as b from polls where slug = 's-scale'"))).toEqual({ a: "Nope", b: "Yes!" });
    const res = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ closesAt: "2099-01-01T12:00" }));
    expect(res.status).toBe(302);
    const id = Number(/\/admin\/polls\/(\d+)/.exec(res.headers.get("location")!)![1]);
    expect((await q("select closes_at from polls where id = ?", id)).closes_at).toBe(Date.UTC(2099, 0, 1, 12));
    const [yes, no] = (await optionIds(t.db(), "new-poll"));
    expect((await member.client.post(`${T}/p/new-poll`, { intent: "vote", option: String(yes) })).status).toBe(302);

    const edit = (over: Record<string, string | string[]>) => admin.client.post(`/admin/polls/${id}`, pollForm({ closesAt: "2099-01-01T12:00", ...over }));
    const before = (await allCounts(t.db()));
    const removed = await edit({ options: ["Yes"], optionIds: [String(yes)] });
    expect(removed.status).toBe(400);
    expect(await removed.text()).toContain("cannot be removed");
    const reordered = await edit({ options: ["No", "Yes"], optionIds: [String(no), String(yes)] });
    expect(reordered.status).toBe(400);
    expect(await reordered.text()).toContain("cannot be reordered");
    const kind = await edit({ kind: "multiple", options: ["Yes", "No"], optionIds: [String(yes), String(no)] });
    expect(kind.status).toBe(400);
    const foreign = await edit({ options: ["Yes", "No"], optionIds: [String(yes), String((await optionIds(t.db(), "license-opinion"))[0])] });
    expect(foreign.status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
    const ok = await edit({ options: ["Yes, definitely", "No", "Maybe"], optionIds: [String(yes), String(no), "new"] });
    expect(ok.status).toBe(302);
    expect((await optionIds(t.db(), "new-poll")).slice(0, 2)).toEqual([yes, no]);
    expect((await q("select label from poll_options where id = ?", yes)).label).toBe("Yes, definitely");
    expect((await q("select count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies where option_id = ?", yes)).count).toBe(1);
    expect((await optionIds(t.db(), "new-poll"))).toHaveLength(3);
    expect((await log()).map((l) => l.action)).toEqual(expect.arrayContaining(["poll.create", "poll.edit"]));
  });

  it("adds option rows, makes the slug from the question, reads a browser's UTC close time, and says it was created", async () => {
    const { admin } = await people();
    const before = await allCounts(t.db());
    const more = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ intent: "add-option", options: ["Yes", "No"], optionIds: ["new", "new"], exclusive: "1" }));
    expect(more.status).toBe(200);
    const form = await more.text();
    expect(form.match(/name="options"/g)).toHaveLength(3);
    expect(form).toMatch(/name="options" aria-label="Option 2" value="No"|aria-label="Option 2"[^>]*value="No"/);
    expect(await allCounts(t.db())).toEqual(before);
    const res = await admin.client.post(
      "/admin/polls/new?topic=llama-2-license",
      pollForm({ slug: "", question: "Will Meta's next Llama be OSI-approved?", closesAt: "2099-06-01T14:30", closesAtUtc: "2099-06-01T12:30:00.000Z" }),
    );
    expect(res.status).toBe(302);
    const id = Number(/\/admin\/polls\/(\d+)\?created=1$/.exec(res.headers.get("location")!)![1]);
    expect(await q("select slug, closes_at from polls where id = ?", id)).toEqual({ slug: "will-metas-next-llama-be-osi-approved", closes_at: Date.UTC(2099, 5, 1, 12, 30) });
    expect(await (await admin.client.get(`/admin/polls/${id}?created=1`)).text()).toContain("Poll created.");
    const bad = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "x-2", closesAtUtc: "tomorrow" }));
    expect(bad.status).toBe(400);
    // Resolving without an outcome says so once (the seeded resolution undone first).
    await reopenPrediction();
    const pid = await pollId(t.db(), "llama-3-prediction");
    const none = await admin.client.post(`/admin/polls/${pid}`, { intent: "resolve", note: "", sourceUrl: "" });
    expect(none.status).toBe(400);
    expect((await none.text()).match(/>Pick the outcome\.</g)).toHaveLength(1);
  });

  it("marks options exclusive on multiple choice only, and the mark survives an edit", async () => {
    const { admin } = await people();
    const multi = pollForm({ slug: "m-alone", kind: "multiple", options: ["a", "b", "None"], optionIds: ["new", "new", "new"], maxChoices: "3", exclusive: "2" });
    const res = await admin.client.post("/admin/polls/new?topic=llama-2-license", multi);
    expect(res.status).toBe(302);
    const id = Number(/\/admin\/polls\/(\d+)/.exec(res.headers.get("location")!)![1]);
    const marks = async (slug: string) => (await t.sql("select label, exclusive from poll_options where poll_id = (select id from polls where slug = ?) order by position").all(slug) as { label: string; exclusive: number | boolean }[]).map((r) => `${r.label}:${Number(r.exclusive)}`);
    expect(await marks("m-alone")).toEqual(["a:0", "b:0", "None:1"]);
    const form = await (await admin.client.get(`/admin/polls/${id}`)).text();
    expect(form).toMatch(/<input type="checkbox" name="exclusive"[^>]*value="2"[^>]*checked=""|<input type="checkbox" name="exclusive"[^>]*checked=""[^>]*value="2"/);
    const ids = (await optionIds(t.db(), "m-alone")).map(String);
    expect((await admin.client.post(`/admin/polls/${id}`, { ...multi, optionIds: ids, exclusive: "0" })).status).toBe(302);
    expect(await marks("m-alone")).toEqual(["a:1", "b:0", "None:0"]);
    // Every option exclusive leaves nothing to combine; single choice ignores the mark.
    const before = await allCounts(t.db());
    const all = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "m-all", kind: "multiple", options: ["a", "b"], optionIds: ["new", "new"], maxChoices: "2", exclusive: ["0", "1"] }));
    expect(all.status).toBe(400);
    expect(await all.text()).toContain("Leave at least one option that is not exclusive.");
    expect(await allCounts(t.db())).toEqual(before);
    expect((await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ slug: "s-alone", exclusive: "1" }))).status).toBe(302);
    expect(await marks("s-alone")).toEqual(["Yes:0", "No:0"]);
  });

  it("closes, reopens, resolves and un-resolves; results show how the community did", async () => {
    const { admin, member } = await people();
    await reopenPrediction();
    const pid = (await pollId(t.db(), "llama-3-prediction"));
    const opts = (await optionIds(t.db(), "llama-3-prediction"));
    await member.client.post(`${T}/p/llama-3-prediction`, { intent: "vote", option: String(opts[1]) });
    const before = (await allCounts(t.db()));
    const foreign = await admin.client.post(`/admin/polls/${pid}`, { intent: "resolve", optionId: String((await optionIds(t.db(), "license-opinion"))[0]), note: "x", sourceUrl: "" });
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("does not belong to this poll");
    expect((await allCounts(t.db()))).toEqual(before);
    const ok = await admin.client.post(`/admin/polls/${pid}`, {
      intent: "resolve",
      optionId: String(opts[1]),
      note: "Llama 3 kept a custom license and added attribution duties.",
      sourceUrl: "https://github.com/meta-llama/llama3/blob/main/LICENSE",
    });
    expect(ok.status).toBe(302);
    // The log names the outcome by its label, and the poll's voters in words (issue 23, newcomer 11).
    const logPage = (await (await admin.client.get("/admin/log")).text()).replaceAll("<!-- -->", "");
    expect(logPage).toContain("outcome: Yes, loosened but still a custom license");
    expect(logPage).not.toContain("outcome option");
    expect((await (await admin.client.get(`/admin/polls/${pid}`)).text()).replaceAll("<!-- -->", "")).toContain("1 voter ·");
    const results = await (await anon().get(`${T}/results.json`)).json();
    const p = results.polls.find((x: any) => x.slug === "llama-3-prediction");
    expect(p.closed).toBe(true);
    expect(p.resolution).toMatchObject({ optionLabel: "Yes, loosened but still a custom license", accuracy: 1, brier: 0 });
    // The outcome shows wherever the poll does, with its source and whether the viewer was right.
    const wrong = await makeUser(anon(), "wrongguess");
    await t.sql("insert into ballots (poll_id, user_id, created_at, updated_at) values (?, ?, 0, 0)").run(pid, wrong.id);
    await t.sql("insert into ballot_choices (ballot_id, option_id) values ((select id from ballots where user_id = ?), ?)").run(wrong.id, opts[0]);
    for (const path of [`${T}/p/llama-3-prediction`, T]) {
      const seen = { member: await (await member.client.get(path)).text(), wrong: await (await wrong.client.get(path)).text(), anon: await (await anon().get(path)).text() };
      const box = (html: string) => html.slice(html.indexOf('data-testid="resolution-llama-3-prediction"'), html.indexOf("</div>", html.indexOf('data-testid="resolution-llama-3-prediction"')));
      for (const html of Object.values(seen)) {
        expect(box(html), path).toContain("Resolved: Yes, loosened but still a custom license</strong>");
        expect(box(html)).toContain('href="https://github.com/meta-llama/llama3/blob/main/LICENSE"');
        const card = html.slice(html.indexOf('id="poll-llama-3-prediction"'), html.indexOf("</section>", html.indexOf('id="poll-llama-3-prediction"')));
        expect(card).not.toContain("Sign in to vote");
        expect(card).not.toContain("Pick one.");
      }
      expect(box(seen.member)).toContain("You were right.");
      expect(box(seen.wrong)).toContain("You were wrong: you answered");
      expect(box(seen.anon)).not.toMatch(/You were/);
    }
    const verdictOn = async (c: Client) => {
      const html = await (await c.get(`${T}/results`)).text();
      const card = html.slice(html.indexOf('id="poll-llama-3-prediction"'), html.indexOf("</section>", html.indexOf('id="poll-llama-3-prediction"')));
      return /You were (right|wrong)\./.exec(card)?.[0] ?? null;
    };
    expect(await verdictOn(member.client)).toBe("You were right.");
    expect(await verdictOn(wrong.client)).toBe("You were wrong.");
    expect(await verdictOn(anon())).toBeNull();
    expect((await member.client.post(`${T}/p/llama-3-prediction`, { intent: "vote", option: String(opts[0]) })).status).toBe(409);
    expect((await admin.client.post(`/admin/polls/${pid}`, { intent: "unresolve" })).status).toBe(302);
    expect((await q("select resolved_at from polls where id = ?", pid)).resolved_at).toBeNull();
    expect((await admin.client.post(`/admin/polls/${pid}`, { intent: "reopen" })).status).toBe(302);
    expect((await member.client.post(`${T}/p/llama-3-prediction`, { intent: "vote", option: String(opts[0]) })).status).toBe(302);
    expect((await admin.client.post(`/admin/polls/${pid}`, { intent: "close" })).status).toBe(302);
    expect((await admin.client.post(`/admin/polls/${pid}`, { intent: "close" })).status).toBe(409);
    expect((await log()).map((l) => l.action)).toEqual(["poll.resolve", "poll.unresolve", "poll.reopen", "poll.close"]);
  });
});

describe("reports and moderation", () => {
  it("a member reports; a moderator dismisses or removes; restore brings it back; all logged", async () => {
    const { mod, member } = await people();
    const other = await makeUser(anon(), "reporter2");
    const c1 = await comment(member.id, "rude words xyzzy");
    const c2 = await comment(member.id, "fine words");
    const reported = await other.client.post(`/c/${c1}`, { intent: "report", reason: "This is rude", redirectTo: T });
    expect(reported.status).toBe(302);
    expect(reported.headers.get("location")).toBe(`${T}?reported=${c1}#c-${c1}`);
    const thanked = await (await other.client.get(`${T}?reported=${c1}`)).text();
    expect(thanked).toContain("Reported. Thanks: a moderator will look at it.");
    // The form is gone once it was sent: only the thanks stays.
    const reportedComment = thanked.slice(thanked.indexOf(`id="c-${c1}"`), thanked.indexOf(`id="c-${c2}"`) > thanked.indexOf(`id="c-${c1}"`) ? thanked.indexOf(`id="c-${c2}"`) : undefined);
    expect(reportedComment).not.toContain('value="report"');
    const again = await other.client.post(`/c/${c1}`, { intent: "report", reason: "Again" });
    expect(again.status).toBe(409);
    expect((await member.client.post(`/c/${c1}`, { intent: "report", reason: "my own" })).status).toBe(400);
    expect((await other.client.post(`/c/${c1}`, { intent: "report", reason: "" })).status).toBe(400);
    expect((await other.client.post(`/c/${c2}`, { intent: "report", reason: "Not sure" })).status).toBe(302);
    const page = await (await mod.client.get("/admin/reports")).text();
    expect(page).toContain("rude words xyzzy");
    expect(page).toContain("This is rude");
    const r1 = (await q("select id from reports where comment_id = ?", c1)).id;
    const r2 = (await q("select id from reports where comment_id = ?", c2)).id;
    expect((await mod.client.post("/admin/reports", { intent: "dismiss", report: String(r2), reason: "fine" })).status).toBe(302);
    expect((await mod.client.post("/admin/reports", { intent: "remove", report: String(r1), reason: "insults" })).status).toBe(302);
    expect((await q("select status from reports where id = ?", r1)).status).toBe("actioned");
    expect((await q("select status from reports where id = ?", r2)).status).toBe("dismissed");
    for (const p of [T, `/c/${c1}`, `${T}/feed.xml`]) {
      const text = await (await anon().get(p)).text();
      expect(text, p).not.toContain("xyzzy");
    }
    // A removed comment with no replies leaves nothing for readers; moderators still see it, to restore it.
    expect(await (await anon().get(T)).text()).not.toContain("[removed by a moderator]");
    expect(await (await mod.client.get(T)).text()).toContain("[removed by a moderator]");
    expect((await q("select comment_count as n from topics where id = 1")).n).toBe(1);
    expect((await mod.client.post(`/c/${c1}`, { intent: "restore", reason: "on appeal" })).status).toBe(302);
    expect(await (await anon().get(T)).text()).toContain("rude words xyzzy");
    expect((await q("select comment_count as n from topics where id = 1")).n).toBe(2);
    expect((await log()).map((l) => [l.action, l.reason])).toEqual([
      ["report.dismiss", "fine"],
      ["comment.remove", "insults"],
      ["comment.restore", "on appeal"],
    ]);
    const pub = await (await anon().get("/moderation")).text();
    expect(pub.replaceAll("<!-- -->", "")).toMatch(/<th scope="row">\d{4}-\d\d<\/th><td>1<\/td><td>0<\/td>/);
    expect(pub).not.toContain("the_mod");
  });

  it("locks a thread from the thread: comments are refused", async () => {
    const { mod, member } = await people();
    expect((await mod.client.post("/admin/threads", { intent: "lock", topic: "llama-2-license", poll: "license-opinion", reason: "heated", redirectTo: `${T}/p/license-opinion` })).status).toBe(302);
    expect((await member.client.post(`${T}/comment?poll=license-opinion`, { intent: "post", body: "x" })).status).toBe(409);
    expect((await member.client.post(`${T}/comment`, { intent: "post", body: "general is open" })).status).toBe(302);
    expect((await mod.client.post("/admin/threads", { intent: "unlock", topic: "llama-2-license", poll: "license-opinion", redirectTo: T })).status).toBe(302);
    expect((await mod.client.post("/admin/threads", { intent: "lock", topic: "nope", redirectTo: T })).status).toBe(404);
    expect((await log()).map((l) => l.action)).toEqual(["thread.lock", "thread.unlock"]);
  });

  it("a ban ends every session, withdraws ballots with the tallies, and blocks sign-in", async () => {
    const { admin, mod, member } = await people();
    const second = member.client.fork();
    second.cookies = new Map(member.client.cookies);
    const opts = (await optionIds(t.db(), "license-opinion"));
    await member.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
    expect((await q("select count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies where option_id = ?", opts[0])).count).toBe(1);
    expect((await mod.client.post("/admin/users", { intent: "ban", user: admin.id, reason: "coup" })).status).toBe(403);
    const res = await mod.client.post("/admin/users", { intent: "ban", user: member.id, reason: "spam", withdrawBallots: "on" });
    expect(res.status).toBe(302);
    // It says what it did (issue 23, newcomer 11).
    expect(res.headers.get("location")).toBe(`/admin/users?done=ban&who=${member.id}`);
    expect((await (await mod.client.get(res.headers.get("location")!)).text()).replaceAll("<!-- -->", "")).toContain("plain_member is banned");
    expect(Boolean((await q("select banned from users where id = ?", member.id)).banned)).toBe(true);
    expect((await q("select count(*) as n from sessions where user_id = ?", member.id)).n).toBe(0);
    expect((await q("select count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies where option_id = ?", opts[0])).count).toBe(0);
    expect((await q("select voter_count + coalesce((select sum(d.delta) from tally_deltas d where d.poll_id = polls.id and d.option_id is null), 0) as n from polls where slug = 'license-opinion'")).n).toBe(0);
    const next = await (await member.client.get(T)).text();
    expect(next).not.toContain("whoami");
    // On a poll that takes no guests (a signed-out browser answers the others as a guest, issue 27).
    const vote = await member.client.post(`${T}/p/future-osi-prediction`, { intent: "vote", option: String((await optionIds(t.db(), "future-osi-prediction"))[0]) });
    expect(vote.headers.get("location")).toMatch(/^\/login/);
    const login = await anon().login("plain_member");
    expect(login.status).toBe(403);
    expect(await login.text()).toContain("This account is suspended.");
    expect((await q("select action, reason from moderation_log where action = 'user.ban'"))).toEqual({ action: "user.ban", reason: "spam" });
    expect((await mod.client.post("/admin/users", { intent: "unban", user: member.id })).status).toBe(302);
    expect((await anon().login("plain_member")).status).toBe(302);
  });

  it("admins change roles (not their own); the new role applies on the next request", async () => {
    const { admin, member } = await people();
    expect((await member.client.get("/admin/reports")).status).toBe(403);
    expect((await admin.client.post("/admin/users", { intent: "role", user: member.id, role: "moderator", reason: "trusted" })).status).toBe(302);
    expect((await member.client.get("/admin/reports")).status).toBe(200);
    const self = await admin.client.post("/admin/users", { intent: "role", user: admin.id, role: "member" });
    expect(self.status).toBe(400);
    expect((await admin.client.post("/admin/users", { intent: "role", user: member.id, role: "owner" })).status).toBe(400);
    expect((await q("select details from moderation_log where action = 'user.role'")).details).toBe('{"from":"member","to":"moderator"}');
  });
});

describe("npm run user:role", () => {
  it("makes the first admin from the command line", async () => {
    await makeUser(anon(), "founder");
    const env = { ...process.env, DATABASE_PATH: t.file() };
    const ok = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/user-role.ts", "Founder", "admin"], { env, encoding: "utf8" });
    expect(ok.status).toBe(0);
    // It names the database it changed, and the one it looked in when the name is not there (issue 23, newcomer 14).
    expect(ok.stdout).toMatch(/Founder is now admin, in the (SQLite file|PostgreSQL database) /);
    await t.sql("select 1").get();
    expect((await q("select role from users where username = 'founder'")).role).toBe("admin");
    const missing = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/user-role.ts", "nobody", "admin"], { env, encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No user named "nobody".*\(looked in the (SQLite file|PostgreSQL database) .*set DATABASE_PATH or DATABASE_URL/);
    const usage = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/user-role.ts", "founder", "king"], { env, encoding: "utf8" });
    expect(usage.status).toBe(2);
  });
});

describe("poll rules", () => {
  it("a multiple-choice minimum below 1 is refused", async () => {
    const { admin } = await people();
    const before = (await allCounts(t.db()));
    const res = await admin.client.post("/admin/polls/new?topic=llama-2-license", pollForm({ kind: "multiple", options: ["a", "b", "c"], minChoices: "0", maxChoices: "2" }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The minimum must be at least 1");
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

describe("the rules page", () => {
  it("shows the default rules to everyone; only an admin edits them, and the change is logged", async () => {
    const { admin, mod, member } = await people();
    const page = await (await anon().get("/rules")).text();
    expect(page).toContain("Argue the point.");
    expect(await (await anon().get("/moderation")).text()).toContain('href="/rules"');
    for (const c of [mod.client, member.client]) {
      expect((await c.get("/admin/rules")).status).toBe(403);
      expect((await c.post("/admin/rules", { intent: "save", bodyMd: "Anything goes." })).status).toBe(403);
    }
    expect((await anon().post("/admin/rules", { intent: "save", bodyMd: "Anything goes." })).status).toBe(302);
    const before = await allCounts(t.db());
    const empty = await admin.client.post("/admin/rules", { intent: "save", bodyMd: "   " });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Write the text.");
    const preview = await admin.client.post("/admin/rules", { intent: "preview", bodyMd: "Be **kind**." });
    expect(await preview.text()).toContain("<strong>kind</strong>");
    expect(await allCounts(t.db())).toEqual(before);
    expect(await t.sql("select count(*) as n from site_texts").get()).toEqual({ n: 0 });
    const saved = await admin.client.post("/admin/rules", { intent: "save", bodyMd: "Be **kind**. <script>alert(1)</script>" });
    expect(saved.status).toBe(302);
    const after = await (await anon().get("/rules")).text();
    expect(after).toContain("Be <strong>kind</strong>.");
    expect(after).not.toContain("<script>alert");
    expect(after).not.toContain("Argue the point.");
    expect((await log()).map((l) => `${l.action} ${l.target_id}`)).toEqual(["rules.edit rules"]);
  });
});

import { describe, expect, it } from "vitest";
import { unresolvePoll } from "../app/models/polls.server";
import { createTopic } from "../app/models/topics.server";
import { LLAMA_COMPARISON, seed } from "../db/seed";
import { allCounts, makeUser, optionIds, pollId, postAs, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const text = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "").replaceAll("&quot;", '"').replaceAll("&#x27;", "'");
const row = async (sql: string, ...args: unknown[]) => (await t.sql(sql).get(...args)) as Record<string, any>;

describe("the license through its versions", () => {
  it("shows every seeded clause in every version, with sources, a poll and a thread per clause", async () => {
    const res = await anon().get(`${T}/versions`);
    expect(res.status).toBe(200);
    const page = await text(res);
    expect(page).toContain("<h1>The Llama license, version by version</h1>");
    for (const v of ["Llama 2", "Llama 3", "Llama 3.1", "Llama 3.2, 3.3 and 4"]) expect(page).toContain(v);
    for (const c of LLAMA_COMPARISON.clauses) {
      expect(page).toContain(`id="clause-${c.slug}"`);
      expect(page).toContain(`href="${T}/p/clause-${c.slug}"`);
      expect(page).toContain(`href="${T}/p/clause-${c.slug}#discussion"`);
      for (const [, summary, source] of c.cells) {
        expect(page).toContain(summary);
        expect(page).toContain(`href="${source}"`);
      }
    }
    // Clause 1(v): in force in 2 and 3, removed in 3.1, not there after. The EU clause arrives with 3.2.
    const section = (slug: string) => page.slice(page.indexOf(`id="clause-${slug}"`), page.indexOf("</section>", page.indexOf(`id="clause-${slug}"`)));
    expect([...section("1v").matchAll(/class="status status-(\w+)"/g)].map((m) => m[1])).toEqual(["present", "present", "removed", "absent"]);
    expect([...section("eu-multimodal").matchAll(/class="status status-(\w+)"/g)].map((m) => m[1])).toEqual(["absent", "absent", "absent", "added"]);
    expect([...section("700m-mau").matchAll(/class="status status-(\w+)"/g)].map((m) => m[1])).toEqual(["present", "present", "present", "present"]);
    // The topic page links to it.
    expect(await text(await anon().get(T))).toContain(`href="${T}/versions"`);
    // A topic without a comparison has no such page.
    const other = await createTopic({ slug: "another-topic", title: "Another topic", summaryMd: "Text.", sourceUrl: null });
    expect(other.ok).toBe(true);
    expect((await anon().get("/t/another-topic/versions")).status).toBe(404);
    expect((await anon().get("/t/no-such-topic/versions")).status).toBe(404);
  });

  it("a clause's thread is anchored to it, feeds the topic and search, and its poll counts", async () => {
    const member = await makeUser(anon(), "clause_reader");
    const clausePoll = await pollId(t.db(), "clause-1v");
    const before = await row("select comment_count as n from topics where slug = 'llama-2-license'");
    // Through the form, as a person would.
    const posted = await member.client.post(`${T}/comment?poll=clause-1v`, { intent: "post", body: "Dropping 1(v) in 3.1 makes distillation legal, but the 700M clause still fails OSD point 5." });
    expect(posted.status).toBe(302);
    const poll = await text(await anon().get(`${T}/p/clause-1v`));
    expect(poll).toContain("About a clause: Clause 1(v): outputs may not improve other LLMs");
    expect(poll).toContain(`href="${T}/versions#clause-1v"`);
    expect(poll).toContain("makes distillation legal");
    expect((await row("select comment_count as n from topics where slug = 'llama-2-license'")).n).toBe(before.n + 1);
    expect((await row("select comment_count as n from polls where id = ?", clausePoll)).n).toBe(1);
    expect(await text(await anon().get(`${T}/feed.xml`))).toContain("makes distillation legal");
    const search = await text(await anon().get("/search?q=distillation+legal"));
    const posted1 = await row("select id from comments where poll_id = ?", clausePoll);
    expect(search).toContain(`href="/c/${posted1.id}"`);
    expect(search).toContain("Comment in Is Meta's LLAMA-2 license open source? › Clause 1(v): outputs may not improve other LLMs: does this clause");
    // The permalink leads to the clause's thread.
    expect(await text(await anon().get(`/c/${posted1.id}`))).toContain(`href="${T}/p/clause-1v`);
    await postAs(member.id, "A second thought on attribution.", { pollId: await pollId(t.db(), "clause-attribution"), at: Date.now() + 60_000 });
    const versions = await text(await anon().get(`${T}/versions`));
    expect(versions.slice(versions.indexOf('id="clause-1v"'), versions.indexOf('id="clause-attribution"'))).toContain("Discuss this clause</a> <span class=\"muted\">(1 comment)");

    // The scale poll: "Does this clause keep the license from being open source?"
    const [, , , four] = await optionIds(t.db(), "clause-1v");
    expect((await member.client.post(`${T}/p/clause-1v`, { intent: "vote", value: "4" })).status).toBe(302);
    expect((await row("select count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies where option_id = ?", four)).count).toBe(1);
    const results = await (await anon().get(`${T}/results.json`)).json();
    const r = results.polls.find((p: { slug: string }) => p.slug === "clause-1v");
    expect(r.question).toBe("Clause 1(v): outputs may not improve other LLMs: does this clause keep the license from being open source?");
    expect(r.voters).toBe(1);
  });

  it("resolves the LLAMA-3 prediction in the seed, citing the clause rows, and leaves an admin's later choice alone", async () => {
    const page = await text(await anon().get(`${T}/p/llama-3-prediction`));
    const box = page.slice(page.indexOf('data-testid="resolution-llama-3-prediction"'), page.indexOf("</div>", page.indexOf('data-testid="resolution-llama-3-prediction"')));
    expect(box).toContain("Resolved: Yes, it gets stricter");
    for (const slug of ["1v", "700m-mau", "attribution", "derived-model-names"]) expect(box).toContain(`href="${T}/versions#clause-${slug}"`);
    expect(box).toContain('href="https://github.com/meta-llama/llama3/blob/main/LICENSE"');
    // The note is text with links, never markup.
    expect(box).not.toContain("[clause 1(v)]");
    const results = await (await anon().get(`${T}/results.json`)).json();
    const p = results.polls.find((x: { slug: string }) => x.slug === "llama-3-prediction");
    expect(p.resolution.optionLabel).toBe("Yes, it gets stricter");
    expect(p.closed).toBe(true);
    // The other prediction runs to 2027 and cannot be decided yet.
    expect(results.polls.find((x: { slug: string }) => x.slug === "future-osi-prediction").resolution).toBeNull();

    // A second seed changes nothing; after an admin undoes the resolution, the seed does not redo it.
    const counts = await allCounts(t.db());
    expect((await seed()).created).toEqual([]);
    expect(await allCounts(t.db())).toEqual(counts);
    const admin = await makeUser(anon(), "resolver", "admin");
    expect((await unresolvePoll(admin.id, await pollId(t.db(), "llama-3-prediction"))).ok).toBe(true);
    expect((await seed()).created).toEqual([]);
    expect((await row("select resolved_at from polls where slug = 'llama-3-prediction'")).resolved_at).toBeNull();
  });

  it("admins edit it from the browser; bad input gets field messages and writes nothing; others are refused", async () => {
    const admin = await makeUser(anon(), "editor_admin", "admin");
    const member = await makeUser(anon(), "not_admin");
    const url = "/admin/topics/llama-2-license/versions";
    expect((await admin.client.get(url)).status).toBe(200);
    expect((await member.client.get(url)).status).toBe(403);
    expect((await member.client.post(url, { intent: "comparison", title: "Taken over" })).status).toBe(403);
    expect((await anon().post(url, { intent: "comparison", title: "Taken over" })).status).toBeGreaterThanOrEqual(300);

    const counts = await allCounts(t.db());
    const refused: [Record<string, string>, number, RegExp][] = [
      [{ intent: "comparison", title: "" }, 400, /Use at least 3 characters|Give the title/],
      [{ intent: "version", label: "", released: "", sourceUrl: "", position: "4" }, 400, /Give the version's name/],
      [{ intent: "version", label: "Llama 5", released: "", sourceUrl: "javascript:alert(1)", position: "4" }, 400, /full http\(s\) link/],
      [{ intent: "version", label: "Llama 5", released: "", sourceUrl: "", position: "-1" }, 400, /cannot be negative/],
      [{ intent: "clause", slug: "Bad Slug!", title: "A clause", position: "5" }, 400, /lower-case letters/],
      [{ intent: "clause", slug: "1v", title: "Again", position: "5" }, 400, /slug is taken/],
      [{ intent: "cell", clause: "1", version: "1", status: "maybe", summary: "x", sourceUrl: "" }, 400, /Pick a status/],
      [{ intent: "cell", clause: "1", version: "1", status: "changed", summary: "", sourceUrl: "" }, 400, /Write a short summary/],
      [{ intent: "cell", clause: "999", version: "1", status: "changed", summary: "x", sourceUrl: "" }, 404, /No such clause or version/],
      [{ intent: "delete-version", id: "999" }, 404, /No such version/],
      [{ intent: "explode" }, 400, /Unknown action/],
    ];
    for (const [form, status, message] of refused) {
      const res = await admin.client.post(url, form);
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(await text(res), JSON.stringify(form)).toMatch(message);
    }
    expect(await allCounts(t.db())).toEqual(counts);

    // A new version, a new clause (with its poll), a cell.
    expect((await admin.client.post(url, { intent: "version", label: "Llama 5", released: "2026", sourceUrl: "https://example.org/llama5", position: "4" })).status).toBe(302);
    const added = await admin.client.post(url, { intent: "clause", slug: "no-weights", title: "No weights for rivals", position: "5" });
    expect(added.status).toBe(302);
    const clause = await row("select id, poll_id from doc_clauses where slug = 'no-weights'");
    const version = await row("select id from doc_versions where label = 'Llama 5'");
    expect(clause.poll_id).toBe(await pollId(t.db(), "clause-no-weights"));
    expect((await admin.client.post(url, { intent: "cell", clause: String(clause.id), version: String(version.id), status: "added", summary: "Our words about it.", sourceUrl: "" })).status).toBe(302);
    const page = await text(await anon().get(`${T}/versions`));
    expect(page).toContain("Llama 5");
    expect(page).toContain("No weights for rivals");
    expect(page).toContain("Our words about it.");
    const actions = ((await t.sql("select action from moderation_log where actor_id = ? order by id").all(admin.id)) as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(["versions.version", "poll.create", "versions.clause", "versions.cell"]);

    // Deleting the clause keeps its poll and thread.
    expect((await admin.client.post(url, { intent: "delete-clause", id: String(clause.id) })).status).toBe(302);
    expect((await text(await anon().get(`${T}/versions`))).includes("No weights for rivals")).toBe(false);
    expect((await anon().get(`${T}/p/clause-no-weights`)).status).toBe(200);
  });
});

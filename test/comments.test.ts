import { sql } from "drizzle-orm";
import { exec, rows, transaction } from "../db/client";
import { describe, expect, it } from "vitest";
import { COMMENT_INTERVAL_MS, postComment } from "../app/models/comments.server";
import { allCounts, count, makeUser, optionIds, pollId, useFreshDatabase, useTestServer, type Client, ENGINE } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const P = `${T}/p/license-opinion`;

/** Posts without waiting for the rate limit: each user's comments are spaced by the model clock. */
let clock = Date.now() - 10_000_000;
async function seedComment(userId: string, body: string, opts: { parentId?: number; pollId?: number | null; stance?: number | null } = {}) {
  const latest = (await t.sql("select coalesce(max(created_at), 0) as m from comments").get() as { m: number }).m;
  clock = Math.max(clock, latest) + COMMENT_INTERVAL_MS + 1;
  const res = await postComment(
    { userId, topicId: 1, pollId: opts.pollId ?? null, parentId: opts.parentId ?? null, body, stanceOptionId: opts.stance ?? null },
    clock,
  );
  if (!res.ok) throw new Error(res.message);
  return res.id;
}

async function row(id: number) {
  return (await t.sql("select * from comments where id = ?").get(id)) as Record<string, any>;
}

async function html(c: Client, path: string) {
  const res = await c.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

describe("posting", () => {
  it("posts a comment and a reply with plain forms, redirecting back to the comment", async () => {
    const { client } = await makeUser(anon(), "ada");
    const res = await client.post(`${T}/comment`, { intent: "post", body: "Clause 1(v) is **the** problem." });
    expect(res.status).toBe(302);
    const id = Number(/#c-(\d+)$/.exec(res.headers.get("location")!)![1]);
    // Back to the thread as it was sorted, with a confirmation that links to the comment.
    expect(res.headers.get("location")).toBe(`${T}?posted=${id}#c-${id}`);
    const confirmed = await html(client, `${T}?posted=${id}`);
    expect(confirmed).toMatch(new RegExp(`Your comment was posted\\. <a [^>]*href="/c/${id}"[^>]*>See it in its thread</a>`));
    expect(await html(anon(), `${T}?posted=${id}`)).not.toContain("Your comment was posted.");
    expect((await row(id)).body_html).toBe("<p>Clause 1(v) is <strong>the</strong> problem.</p>");
    await t.sql("update comments set created_at = created_at - 10000").run();
    const sorted = await client.post(`${T}/comment?sort=top`, { intent: "post", body: "Posted while reading the top comments." });
    expect(sorted.headers.get("location")).toMatch(new RegExp(`^${T}\\?sort=top&posted=(\\d+)#c-\\1$`));
    expect(await html(client, T)).toContain(`action="/t/llama-2-license/comment"`);
    expect(await html(client, `${T}?sort=old`)).toContain(`action="/t/llama-2-license/comment?sort=old"`);
    await t.sql("update comments set created_at = created_at - 10000").run();
    const reply = await client.post(`${T}/comment?parent=${id}`, { intent: "post", body: "A reply" });
    expect(reply.status).toBe(302);
    const replyId = Number(/#c-(\d+)$/.exec(reply.headers.get("location")!)![1]);
    expect(reply.headers.get("location")).toBe(`/c/${id}#c-${replyId}`);
    expect((await row(replyId))).toMatchObject({ parent_id: id, depth: 1 });
    expect((await row(id)).reply_count).toBe(1);
    expect(await t.sql("select comment_count as n from topics where id = 1").get()).toEqual({ n: 3 });
    const page = await html(anon(), T);
    expect(page).toContain(`id="c-${id}"`);
    expect(page).toContain(`id="c-${replyId}"`);
    expect(page).toMatch(/<time dateTime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">/);
  });

  it("a JavaScript post gets JSON", async () => {
    const { client } = await makeUser(anon(), "bob");
    const res = await client.post(`${T}/comment?_data=routes%2Ft.%24topic.comment`, { intent: "post", body: "hi", via: "fetcher" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("previews without writing and keeps the text", async () => {
    const { client } = await makeUser(anon(), "cy");
    const before = (await allCounts(t.db()));
    const res = await client.post(`${P.replace("/p/license-opinion", "")}/comment?poll=license-opinion`, { intent: "preview", body: "Some *markdown* [link](https://example.com)" });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Preview");
    expect(page).toContain("<em>markdown</em>");
    expect(page).toContain('rel="nofollow ugc noopener"');
    expect(page).toContain("Some *markdown* [link](https://example.com)</textarea>");
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it.each([
    ["empty", "", "Write something first."],
    ["whitespace only", "   \n\t  ", "Write something first."],
    ["too long", "x".repeat(10_001), "under 10,000"],
  ])("refuses a body that is %s with a field message, keeping the text", async (_n, body, message) => {
    const { client } = await makeUser(anon(), "dee");
    const before = (await allCounts(t.db()));
    const res = await client.post(`${T}/comment`, { intent: "post", body });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain(message);
    expect(page).toContain('aria-invalid="true"');
    if (body.trim()) expect(page).toContain(body.slice(0, 100));
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("accepts exactly 10,000 characters after trimming", async () => {
    const { client } = await makeUser(anon(), "ed");
    const res = await client.post(`${T}/comment`, { intent: "post", body: `  ${"y".repeat(10_000)}  ` });
    expect(res.status).toBe(302);
  });

  it("one comment per 5 seconds: 429 with Retry-After and the text kept", async () => {
    const { client } = await makeUser(anon(), "fay");
    expect((await client.post(`${T}/comment`, { intent: "post", body: "first" })).status).toBe(302);
    const before = (await allCounts(t.db()));
    const res = await client.post(`${T}/comment`, { intent: "post", body: "second, too soon" });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const page = await res.text();
    expect(page).toMatch(/Try again in \d seconds?/);
    expect(page).toContain("second, too soon");
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("refuses comments on a locked topic or a locked poll thread (409)", async () => {
    const { client } = await makeUser(anon(), "gil");
    await t.sql("update polls set comments_locked = true where slug = 'license-opinion'").run();
    const before = (await allCounts(t.db()));
    const a = await client.post(`${T}/comment?poll=license-opinion`, { intent: "post", body: "x" });
    expect(a.status).toBe(409);
    await t.sql("update topics set locked = true").run();
    const b = await client.post(`${T}/comment`, { intent: "post", body: "x" });
    expect(b.status).toBe(409);
    expect(await b.text()).toContain("locked");
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("refuses: signed out (to login), foreign Origin (403), honeypot (400), unknown thread (404), reply to a deleted comment (409)", async () => {
    const { id, client } = await makeUser(anon(), "hal");
    const parent = await seedComment(id, "parent");
    await t.sql("update comments set deleted_at = 1 where id = ?").run(parent);
    const before = (await allCounts(t.db()));
    const out = await anon().post(`${T}/comment`, { intent: "post", body: "x" });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect((await client.post(`${T}/comment`, { intent: "post", body: "x" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await client.post(`${T}/comment`, { intent: "post", body: "x", website: "http://spam.example" })).status).toBe(400);
    expect((await client.post(`/t/nope/comment`, { intent: "post", body: "x" })).status).toBe(404);
    expect((await client.post(`${T}/comment?poll=nope`, { intent: "post", body: "x" })).status).toBe(404);
    expect((await client.post(`${T}/comment?parent=999999`, { intent: "post", body: "x" })).status).toBe(404);
    expect((await client.post(`${T}/comment?parent=${parent}`, { intent: "post", body: "x" })).status).toBe(409);
    expect((await client.post(`${T}/comment`, { intent: "post", body: "x", authorId: "someone" })).status).toBe(400);
    expect((await client.post(`${T}/comment`, { intent: "delete", body: "x" })).status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

describe("stance", () => {
  it("offers the ballot without choosing it, shows as a badge, filters the thread, and refuses foreign options", async () => {
    const { id, client } = await makeUser(anon(), "ivy");
    const opts = (await optionIds(t.db(), "license-opinion"));
    await client.post(P, { intent: "vote", option: String(opts[2]) });
    const page = await html(client, P);
    // The stance starts empty: the writer's answer is first and marked, never pre-checked.
    const stance = page.slice(page.indexOf("Your stance"));
    expect(stance).toMatch(/<input type="radio" name="stance" checked="" value=""\/>[^<]*No stance/);
    expect(stance).toMatch(new RegExp(`<input type="radio" name="stance" value="${opts[2]}"/>[^<]*<!-- -->[^<]+<span class="badge">your answer</span>`));
    expect(page.match(/name="stance" value="\d+" checked/g)).toBeNull();
    const res = await client.post(`${T}/comment?poll=license-opinion`, { intent: "post", body: "With stance", stance: String(opts[2]) });
    expect(res.status).toBe(302);
    const other = await seedComment(id, "Other stance", { pollId: (await pollId(t.db(), "license-opinion")), stance: opts[0] });
    await seedComment(id, "No stance", { pollId: (await pollId(t.db(), "license-opinion")) });
    const all = await html(anon(), P);
    expect(all).toContain('class="badge stance"');
    expect(all).toContain("Not open source, and the restrictions are a real problem</a>");
    const filtered = await html(anon(), `${P}?stance=${opts[0]}`);
    expect(filtered).toContain(`id="c-${other}"`);
    expect(filtered).not.toContain("With stance");
    expect(filtered).not.toContain("No stance</p>");
    const before = (await allCounts(t.db()));
    await t.sql("update comments set created_at = 0").run();
    const foreign = (await optionIds(t.db(), "implications"))[0];
    expect((await client.post(`${T}/comment?poll=license-opinion`, { intent: "post", body: "x", stance: String(foreign) })).status).toBe(400);
    expect((await client.post(`${T}/comment`, { intent: "post", body: "x", stance: String(opts[0]) })).status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

describe("the tree", () => {
  it("nests replies, continues past depth 6 at /c/:id, and /c/:id shows ancestors and replies", async () => {
    const { id } = await makeUser(anon(), "jo");
    let parent = await seedComment(id, "depth 0");
    const chain = [parent];
    for (let d = 1; d <= 8; d++) {
      parent = await seedComment(id, `depth ${d}`, { parentId: parent });
      chain.push(parent);
    }
    const page = await html(anon(), T);
    for (let d = 0; d <= 6; d++) expect(page).toContain(`id="c-${chain[d]}"`);
    expect(page).not.toContain(`id="c-${chain[7]}"`);
    expect(page).toContain(`href="/c/${chain[6]}">Continue this thread`);
    expect(page.replaceAll("<!-- -->", "")).toMatch(/<details class="replies" open=""><summary><span class="when-open">Hide 1 reply<\/span><span class="when-closed">Show 1 hidden reply<\/span><\/summary>/);
    const permalink = await html(anon(), `/c/${chain[6]}`);
    expect(permalink).toContain(`id="c-${chain[6]}" class="comment highlight"`);
    for (let d = 0; d < 6; d++) expect(permalink).toContain(`href="/c/${chain[d]}"`);
    expect(permalink).toContain(`id="c-${chain[7]}"`);
    expect(permalink).toContain(`id="c-${chain[8]}"`);
  });

  it("shows the first replies and links to the rest", async () => {
    const { id } = await makeUser(anon(), "kai");
    const root = await seedComment(id, "root");
    for (let i = 0; i < 14; i++) await seedComment(id, `reply ${i}`, { parentId: root });
    const page = await html(anon(), `${T}?sort=old`);
    expect(page).toContain("reply 9</p>");
    expect(page).not.toContain("reply 10</p>");
    expect(page).toContain(`href="/c/${root}">4 more replies</a>`);
    const all = await html(anon(), `/c/${root}`);
    expect(all).toContain("reply 13</p>");
  });

  it("pages top-level comments by 50 with a load-more link", async () => {
    const { id } = await makeUser(anon(), "lee");
    for (let i = 0; i < 120; i++) await seedComment(id, `comment ${i}`);
    const p1 = await html(anon(), `${T}?sort=old`);
    expect((p1.match(/class="comment"/g) ?? []).length).toBe(50);
    expect(p1).toContain("comment 49</p>");
    expect(p1).not.toContain("comment 50</p>");
    expect(p1).toContain('href="/t/llama-2-license?sort=old&amp;page=2#discussion"');
    const p3 = await html(anon(), `${T}?sort=old&page=3`);
    expect((p3.match(/class="comment"/g) ?? []).length).toBe(20);
    expect(p3).not.toContain("Load more comments");
  });
});

describe("votes and sorting", () => {
  it("up, down, again to withdraw, never on your own; counters follow", async () => {
    const { id: author, client: authorClient } = await makeUser(anon(), "mo");
    const { client: voter } = await makeUser(anon(), "ned");
    const c = await seedComment(author, "vote on me");
    const vote = (cl: Client, intent: string) => cl.post(`/c/${c}`, { intent, redirectTo: T });
    expect((await vote(voter, "up")).status).toBe(302);
    expect((await row(c))).toMatchObject({ ups: 1, downs: 0 });
    await vote(voter, "down");
    expect((await row(c))).toMatchObject({ ups: 0, downs: 1 });
    await vote(voter, "down");
    expect((await row(c))).toMatchObject({ ups: 0, downs: 0 });
    expect(await count(t.db(), "comment_votes")).toBe(0);
    await vote(voter, "up");
    const before = (await allCounts(t.db()));
    const own = await vote(authorClient, "up");
    expect(own.status).toBe(403);
    expect((await allCounts(t.db()))).toEqual(before);
    expect((await row(c))).toMatchObject({ ups: 1, downs: 0 });
    const redirect = await vote(voter, "up");
    expect(redirect.headers.get("location")).toBe(`${T}#c-${c}`);
  });

  it("orders by best, top, new, old and controversial", async () => {
    const { id: a } = await makeUser(anon(), "oz");
    const voters = [];
    for (let i = 0; i < 12; i++) voters.push(`v${i}`);
    for (const v of voters) await t.sql("insert into users (id, username, password_hash, created_at) values (?, ?, 'x', 0)").run(v, v);
    const ids = {
      fewUp: await seedComment(a, "one up"), // 1 up
      manyUp: await seedComment(a, "ten up one down"), // 10 up, 1 down
      split: await seedComment(a, "six six"), // 6 up, 6 down
      newest: await seedComment(a, "no votes"),
    };
    const { voteOnComment } = await import("../app/models/comments.server");
    await voteOnComment("v0", ids.fewUp, 1);
    for (let i = 0; i < 10; i++) await voteOnComment(voters[i], ids.manyUp, 1);
    await voteOnComment("v10", ids.manyUp, -1);
    for (let i = 0; i < 12; i++) await voteOnComment(voters[i], ids.split, i < 6 ? 1 : -1);
    const order = async (sort: string) => {
      const page = await html(anon(), `${T}?sort=${sort}`);
      return [...page.matchAll(/<li id="c-(\d+)" class="comment/g)].map((m) => Number(m[1]));
    };
    expect(await order("best")).toEqual([ids.manyUp, ids.split, ids.fewUp, ids.newest]);
    expect(await order("top")).toEqual([ids.manyUp, ids.fewUp, ids.split, ids.newest]);
    expect(await order("new")).toEqual([ids.newest, ids.split, ids.manyUp, ids.fewUp]);
    expect(await order("old")).toEqual([ids.fewUp, ids.manyUp, ids.split, ids.newest]);
    expect((await order("controversial"))[0]).toBe(ids.split);
    expect(await order("nonsense")).toEqual(await order("best"));
  });
});

describe("edit and delete", () => {
  it("edits keep every revision and mark the comment edited", async () => {
    const { id, client } = await makeUser(anon(), "pam");
    const c = await seedComment(id, "first version");
    expect((await client.post(`/c/${c}`, { intent: "edit", body: "second version" })).status).toBe(302);
    expect((await client.post(`/c/${c}`, { intent: "edit", body: "third *version*" })).status).toBe(302);
    expect((await row(c)).body_html).toBe("<p>third <em>version</em></p>");
    expect((await row(c)).edited_at).not.toBeNull();
    const page = await html(anon(), T);
    expect(page).toContain(`href="/c/${c}?history=1">edited`);
    const history = await html(anon(), `/c/${c}?history=1`);
    expect(history).toContain("Edit history");
    expect(history.indexOf("first version")).toBeLessThan(history.indexOf("second version"));
    expect(history).toContain("third <em>version</em>");
    const bad = await client.post(`/c/${c}`, { intent: "edit", body: "   " });
    expect(bad.status).toBe(400);
  });

  it("delete leaves [deleted] in place, keeps replies, and erases the text everywhere", async () => {
    const { id, client } = await makeUser(anon(), "quin");
    const c = await seedComment(id, "secret opinion xyzzy");
    await client.post(`/c/${c}`, { intent: "edit", body: "secret opinion xyzzy, edited" });
    const reply = await seedComment(id, "a reply stays", { parentId: c });
    expect((await client.post(`/c/${c}`, { intent: "delete" })).status).toBe(302);
    for (const path of [T, `/c/${c}`, `/c/${reply}`, `/c/${c}?history=1`, `${T}/feed.xml`]) {
      const text = await html(anon(), path);
      expect(text, path).not.toContain("xyzzy");
    }
    const page = await html(anon(), T);
    expect(page).toContain("[deleted]");
    expect(page).toContain("a reply stays");
    expect(await t.sql("select count(*) as n from comment_revisions where comment_id = ?").get(c)).toEqual({ n: 0 });
    expect(JSON.stringify(await t.sql("select * from comments where id = ?").get(c))).not.toContain("xyzzy");
  });

  it("leaves a placeholder only where it holds replies together; moderators still see a removed one, to restore it (issue 23, newcomer 12)", async () => {
    const { id, client } = await makeUser(anon(), "rhea");
    const mod = await makeUser(anon(), "placeholder_mod", "moderator");
    const lone = await seedComment(id, "a lone thought");
    const parent = await seedComment(id, "a parent thought");
    await seedComment(id, "its reply", { parentId: parent });
    const spam = await seedComment(id, "buy cheap pills");
    const childOfReply = await seedComment(id, "deep lone", { parentId: parent });
    for (const c of [lone, parent, childOfReply]) expect((await client.post(`/c/${c}`, { intent: "delete" })).status).toBe(302);
    expect((await mod.client.post(`/c/${spam}`, { intent: "remove", reason: "spam" })).status).toBe(302);
    const page = (await html(anon(), T)).replaceAll("<!-- -->", "");
    // One "[deleted]": the parent, which holds its reply; the lone comments leave nothing.
    expect(page.match(/\[deleted\]/g)).toHaveLength(1);
    expect(page).toContain("its reply");
    expect(page).not.toContain("[removed by a moderator]");
    expect(page).not.toContain(`id="c-${lone}"`);
    // The moderator sees the removed spam, with its restore control.
    const modPage = (await (await mod.client.get(T)).text()).replaceAll("<!-- -->", "");
    expect(modPage).toContain(`id="c-${spam}"`);
    expect(modPage).toContain("[removed by a moderator]");
    // The permalink still answers for anyone who has it.
    expect((await anon().get(`/c/${lone}`)).status).toBe(200);
  });

  describe("access matrix: only the author may edit or delete", () => {
    const actions = [
      ["edit", { intent: "edit", body: "hijacked" }],
      ["delete", { intent: "delete" }],
    ] as const;
    for (const [name, fields] of actions) {
      it(`${name}: anonymous -> login, other member -> 403, author -> done`, async () => {
        const { id: authorId, client: author } = await makeUser(anon(), `au_${name}`);
        const { client: other } = await makeUser(anon(), `ot_${name}`);
        const c = await seedComment(authorId, "original text");
        const before = (await allCounts(t.db()));
        const snapshot = JSON.stringify((await row(c)));

        const a = await anon().post(`/c/${c}`, fields);
        expect(a.status).toBe(302);
        expect(a.headers.get("location")).toMatch(/^\/login/);
        const o = await other.post(`/c/${c}`, fields);
        expect(o.status).toBe(403);
        expect(JSON.stringify((await row(c)))).toBe(snapshot);
        expect((await allCounts(t.db()))).toEqual(before);

        const ok = await author.post(`/c/${c}`, fields);
        expect(ok.status).toBe(302);
        expect(JSON.stringify((await row(c)))).not.toBe(snapshot);
      });
    }
    it("unknown comments are 404", async () => {
      const { client } = await makeUser(anon(), "nobody");
      expect((await client.post(`/c/999999`, { intent: "delete" })).status).toBe(404);
      expect((await anon().get(`/c/999999`)).status).toBe(404);
      expect((await anon().get(`/c/abc`)).status).toBe(404);
    });
  });
});

describe("feed", () => {
  it("is RSS of the newest live comments", async () => {
    const { id } = await makeUser(anon(), "rae");
    await seedComment(id, "older <b>x</b>");
    await seedComment(id, "newest one");
    const res = await anon().get(`${T}/feed.xml`);
    expect(res.headers.get("content-type")).toContain("application/rss+xml");
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain("<rss version=\"2.0\"");
    expect(xml.indexOf("newest one")).toBeLessThan(xml.indexOf("older"));
    expect(xml).toContain("&lt;b&gt;x&lt;/b&gt;");
    // Items are titled by what they say and where; the author is dc:creator, never RSS's e-mail-only <author>.
    expect(xml).toContain("<title><![CDATA[newest one — in \"Is Meta's LLAMA-2 license open source?\"]]></title>");
    expect(xml).toContain("<dc:creator>rae</dc:creator>");
    expect(xml).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(xml).not.toContain("<author>");
    expect((await anon().get(`/t/nope/feed.xml`)).status).toBe(404);
  });

  it("is found from the topic page, which also describes itself to search engines and link cards", async () => {
    const page = await html(anon(), T);
    const head = page.slice(0, page.indexOf("</head>"));
    expect(head).toContain(`<link rel="alternate" type="application/rss+xml" title="Is Meta&#x27;s LLAMA-2 license open source?: newest comments" href="${T}/feed.xml"/>`);
    expect(head).toMatch(/<meta name="description" content="A public post by an LLM practitioner argues[^"]*"\/>/);
    expect(head).toContain('<meta property="og:title" content="Is Meta&#x27;s LLAMA-2 license open source?"/>');
    expect(head).toMatch(/<meta property="og:url" content="http:\/\/localhost:\d+\/t\/llama-2-license"\/>/);
    expect(head).toContain('<meta property="og:type" content="article"/>');
  });
});

describe("a long thread", () => {
  it("renders a page of a 5,000-comment thread from an index, without loading them all", async () => {
    await t.sql("insert into users (id, username, password_hash, created_at) values ('bulk', 'bulk', 'x', 0)").run();
    const insert = t.sql(
      "insert into comments (topic_id, poll_id, parent_id, depth, author_id, body_md, body_html, created_at, reply_count) values (1, null, ?, ?, 'bulk', 'b', '<p>b</p>', ?, ?) returning id",
    );
    for (let i = 0; i < 2500; i++) {
      const top = (await insert.get(null, 0, i, 1)).id as number;
      await insert.get(top, 1, i, 0);
    }
    const query = "select c.id from comments c where c.topic_id = 1 and c.parent_id is null and c.poll_id is null order by c.best desc limit 51";
    if (ENGINE === "sqlite") {
      const plan = (await t.sql(`explain query plan ${query}`).all()) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(" | ")).toMatch(/USING (COVERING )?INDEX comments_thread_best/);
    } else {
      // Half of this table matches, so PostgreSQL rightly prefers reading it
      // all; with sequential scans priced out, the index must serve the query.
      const plan = await transaction(async (tx) => {
        await exec(tx, sql`set local enable_seqscan = off`);
        return (await rows<Record<string, string>>(tx, sql.raw(`explain ${query}`))).map((r) => Object.values(r)[0]);
      });
      expect(plan.join(" | ")).toMatch(/Index (Only )?Scan.* (using|on) comments_thread_best/);
    }
    const page = await html(anon(), T);
    expect((page.match(/class="comment"/g) ?? []).length).toBe(100);
    expect(page).toContain("Load more comments");
  });
});

describe("counts", () => {
  it("the general discussion counts its own comments; the topic counts all", async () => {
    const { id } = await makeUser(anon(), "counter");
    await seedComment(id, "general one");
    await seedComment(id, "on a poll", { pollId: (await pollId(t.db(), "license-opinion")) });
    const page = (await html(anon(), T)).replaceAll("<!-- -->", "");
    expect(page).toContain("General discussion <span class=\"muted count\">(1 comment)</span>");
    const home = (await html(anon(), "/")).replaceAll("<!-- -->", "");
    expect(home).toContain("2 comments");
    const poll = (await html(anon(), P)).replaceAll("<!-- -->", "");
    expect(poll).toContain("(1 comment)");
  });
});

describe("concurrency", () => {
  it("simultaneous posts by one person: exactly one gets through the 5-second limit", async () => {
    const { client } = await makeUser(anon(), "burst");
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => client.post(`${T}/comment`, { intent: "post", body: `burst ${i}` })));
    expect(res.filter((r) => r.status === 302)).toHaveLength(1);
    expect(res.filter((r) => r.status === 429)).toHaveLength(9);
    expect(await count(t.db(), "comments")).toBe(1);
    expect(await t.sql("select comment_count from topics where id = 1").pluck().get()).toBe(1);
  });

  it("simultaneous votes on a comment leave one vote and counters equal to a recount", async () => {
    const { id: author } = await makeUser(anon(), "target_author");
    const c = await seedComment(author, "vote storm");
    const voters = [];
    for (let i = 0; i < 20; i++) voters.push((await makeUser(anon(), `storm${i}`)).client);
    await Promise.all(voters.flatMap((v, i) => [v.post(`/c/${c}`, { intent: i % 3 ? "up" : "down" }), v.post(`/c/${c}`, { intent: i % 3 ? "up" : "down" })]));
    const votes = await t.sql("select coalesce(sum(case when value = 1 then 1 else 0 end), 0) as ups, coalesce(sum(case when value = -1 then 1 else 0 end), 0) as downs, count(*) as n from comment_votes where comment_id = ?").get(c) as { ups: number; downs: number; n: number };
    expect((await row(c))).toMatchObject({ ups: votes.ups, downs: votes.downs });
    // Each voter clicked twice: the second click withdrew the first.
    expect(votes.n).toBe(0);
  });
});

describe("deleted comments", () => {
  it("say so once in a permalink's ancestors, and show no score or vote buttons", async () => {
    const { id: aId, client: a } = await makeUser(anon(), "gone_a");
    const { id: bId } = await makeUser(anon(), "stays_b");
    const { client: reader } = await makeUser(anon(), "reader_c");
    const root = await seedComment(aId, "First, then deleted");
    const middle = await seedComment(aId, "Second, then deleted", { parentId: root });
    const leaf = await seedComment(bId, "The reply that stays", { parentId: middle });
    for (const id of [root, middle]) expect((await a.post(`/c/${id}`, { intent: "delete" })).status).toBe(302);
    const page = await html(reader, `/c/${leaf}`);
    const ancestors = page.slice(page.indexOf('aria-label="Earlier in this thread"'), page.indexOf("</ol>", page.indexOf('aria-label="Earlier in this thread"')));
    expect(ancestors.match(/\[deleted\]/g)).toHaveLength(2);
    expect(ancestors).not.toContain("[deleted] [deleted]");
    const thread = await html(reader, T);
    const gone = thread.slice(thread.indexOf(`id="c-${root}"`), thread.indexOf(`id="c-${middle}"`));
    expect(gone).toContain("[deleted]");
    expect(gone).not.toContain('class="score"');
    expect(gone).not.toContain("Upvote");
    // A live comment from someone else keeps its buttons; a signed-out reader is told why there are none.
    const live = thread.slice(thread.indexOf(`id="c-${leaf}"`));
    expect(live).toContain('aria-label="Upvote"');
    const anonymous = await html(anon(), T);
    expect(anonymous.slice(anonymous.indexOf(`id="c-${leaf}"`))).toMatch(/<span class="score">0 points<\/span><a [^>]*>Sign in to vote<\/a>/);
  });
});

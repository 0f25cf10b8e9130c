import { describe, expect, it } from "vitest";
import { postComment } from "../app/models/comments.server";
import { allCounts, Client, makeUser, rawSql, useFreshDatabase, useTestServer } from "./helpers";

// Issue 28 (C): trust levels against spam. A new account (made by signing
// up) may put at most 2 links and 2 mentions in a comment and post 10 a day;
// a comment of theirs that links out waits for a moderator, shown to its
// author alone; a day and 3 accepted comments make them a member; a
// moderator may trust anyone. Accounts made by the helpers are members.

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const text = async (c: Client, path: string) => (await (await c.get(path)).text()).replaceAll("<!-- -->", "");
const userId = async (name: string) => (await rawSql("select id from users where username = ?").get(name)).id as string;
/** A new account, signed up through the form. */
async function newcomer(name: string): Promise<Client> {
  const c = anon().fork();
  expect((await c.signup(name)).status).toBe(302);
  return c;
}
/** Lets the next comment through the 5-second pace, as if time had passed. */
const later = (name: string) => rawSql("update comments set created_at = created_at - 10000 where author_id = (select id from users where username = ?)").run(name);
const commentCount = async () => Number((await rawSql("select comment_count from topics where slug = 'llama-2-license'").get()).comment_count);

describe("trust levels", () => {
  it("a brand-new account's comment with three links is refused; with one it waits, seen by its author alone, until a moderator accepts it", async () => {
    const newbie = await newcomer("newbie");
    const { client: mod } = await makeUser(anon(), "moddy", "moderator");
    const { client: member } = await makeUser(anon(), "member1");
    const before = await allCounts(t.db());
    const three = await newbie.post(`${T}/comment`, { intent: "post", body: "See https://a.example, https://b.example and https://c.example" });
    expect(three.status).toBe(400);
    expect(await three.text()).toContain("A new account&#x27;s comment may hold at most 2 links");
    expect(await allCounts(t.db())).toEqual(before);

    const body = "Mirror of the license: https://mirror.example/llama-license";
    const one = await newbie.post(`${T}/comment`, { intent: "post", body });
    expect(one.status).toBe(302);
    expect(one.headers.get("location")).toMatch(/\?held=\d+#waiting$/);
    const id = Number(/held=(\d+)/.exec(one.headers.get("location")!)![1]);
    // Its author sees it, marked as waiting; nobody else does, anywhere.
    const mine = await text(newbie, `${T}?held=${id}`);
    expect(mine).toContain("Waiting for a moderator (1)");
    expect(mine).toContain("mirror.example/llama-license");
    expect(mine).toContain("waits for a moderator");
    for (const c of [anon().fork(), member]) {
      expect(await text(c, T)).not.toContain("mirror.example");
      expect(await text(c, `/u/newbie`)).not.toContain("mirror.example");
      expect(await text(c, `/search?q=mirror`)).not.toContain("mirror.example");
      expect((await c.get(`/c/${id}`)).status).toBe(404);
    }
    expect(await text(anon(), `${T}/feed.xml`)).not.toContain("mirror.example");
    expect(await commentCount()).toBe(0);

    // The queue shows it; a member cannot decide; the moderator accepts.
    const queue = await text(mod, "/admin/reports");
    expect(queue).toContain("Held for review (1)");
    expect(queue).toContain("mirror.example/llama-license");
    expect((await member.post("/admin/reports", { intent: "accept", comment: String(id), reason: "" })).status).toBe(403);
    expect((await mod.post("/admin/reports", { intent: "accept", comment: String(999999), reason: "" })).status).toBe(409);
    expect((await mod.post("/admin/reports", { intent: "accept", comment: String(id), reason: "a real mirror" })).status).toBe(302);
    expect(await text(anon().fork(), T)).toContain("mirror.example/llama-license");
    expect(await commentCount()).toBe(1);
    expect(await text(newbie, T)).not.toContain("Waiting for a moderator");
    expect(await text(mod, "/admin/log")).toContain("accepted from review");
    // Decided once: a second decision is a conflict.
    expect((await mod.post("/admin/reports", { intent: "reject", comment: String(id), reason: "" })).status).toBe(409);
  });

  it("rejects, and rejects and bans; a new account's limits on mentions and comments a day; its link-free comments show at once", async () => {
    const { client: mod } = await makeUser(anon(), "moddy", "moderator");
    for (const n of ["ann", "bob", "cyd"]) await makeUser(anon(), n);
    const spammer = await newcomer("spammer");
    const mentions = await spammer.post(`${T}/comment`, { intent: "post", body: "Hello @ann @bob @cyd" });
    expect(mentions.status).toBe(400);
    expect(await mentions.text()).toContain("may mention at most 2 people");
    expect((await spammer.post(`${T}/comment`, { intent: "post", body: "Plain words, no links." })).status).toBe(302);
    expect(await text(anon().fork(), T)).toContain("Plain words, no links.");
    await later("spammer");
    const res = await spammer.post(`${T}/comment`, { intent: "post", body: "Buy now https://spam.example" });
    const id = Number(/held=(\d+)/.exec(res.headers.get("location")!)![1]);
    expect((await mod.post("/admin/reports", { intent: "reject", comment: String(id), reason: "spam" })).status).toBe(302);
    expect(await text(spammer, T)).not.toContain("spam.example");
    expect(await text(mod, "/admin/reports")).toContain("Held for review (0)");

    await later("spammer");
    const again = await spammer.post(`${T}/comment`, { intent: "post", body: "Again https://spam.example/2" });
    const id2 = Number(/held=(\d+)/.exec(again.headers.get("location")!)![1]);
    expect((await mod.post("/admin/reports", { intent: "reject_ban", comment: String(id2), reason: "spam twice" })).status).toBe(302);
    expect((await rawSql("select banned from users where username = 'spammer'").get()).banned).toBeTruthy();
    // Banned: their session ended.
    expect(await text(spammer, T)).not.toContain('data-testid="whoami"');

    // Ten comments a day while new, counted by the model's clock.
    const { createUser } = await import("../app/models/users.server");
    const made = await createUser("chatty", "a long passphrase here");
    if (!made.ok) throw new Error(made.message);
    const topicId = Number((await rawSql("select id from topics where slug = 'llama-2-license'").get()).id);
    const start = Date.now();
    for (let i = 0; i < 10; i++) {
      const r = await postComment({ userId: made.userId, topicId, pollId: null, parentId: null, body: `Comment ${i}`, stanceOptionId: null }, start + i * 6000);
      expect(r.ok).toBe(true);
    }
    const eleventh = await postComment({ userId: made.userId, topicId, pollId: null, parentId: null, body: "One more", stanceOptionId: null }, start + 60_000 + 6000);
    expect(eleventh).toMatchObject({ ok: false, code: "rate_limited", field: "body" });
    if (eleventh.ok) throw new Error("unreachable");
    expect(eleventh.retryAfter).toBeGreaterThan(23 * 3600);
  });

  it("a day and three accepted comments make a member, whose links are not held; a moderator trusts and untrusts; an edit that adds a link goes back to review", async () => {
    const { client: mod } = await makeUser(anon(), "moddy", "moderator");
    const grower = await newcomer("grower");
    for (let i = 0; i < 3; i++) {
      expect((await grower.post(`${T}/comment`, { intent: "post", body: `Thought ${i}` })).status).toBe(302);
      await later("grower");
    }
    // Three accepted, but younger than a day: still new.
    const young = await grower.post(`${T}/comment`, { intent: "post", body: "A source: https://src.example/1" });
    expect(young.headers.get("location")).toMatch(/held=/);
    await later("grower");
    await rawSql("update users set created_at = created_at - 2 * 86400000 where username = 'grower'").run();
    const grown = await grower.post(`${T}/comment`, { intent: "post", body: "A source: https://src.example/2" });
    expect(grown.headers.get("location")).toMatch(/posted=/);
    expect((await rawSql("select trust_level from users where username = 'grower'").get()).trust_level).toBe("member");

    // A new account trusted by a moderator skips the holds; untrusting leaves it new.
    const vouched = await newcomer("vouched");
    const id = await userId("vouched");
    expect((await mod.post("/admin/users", { intent: "trust", user: id, reason: "known to us" })).status).toBe(302);
    expect(await text(mod, "/admin/users?q=vouched")).toContain('data-testid="trust-vouched">trusted<');
    expect((await vouched.post(`${T}/comment`, { intent: "post", body: "https://ok.example" })).headers.get("location")).toMatch(/posted=/);
    expect((await mod.post("/admin/users", { intent: "untrust", user: id, reason: "" })).status).toBe(302);
    expect((await rawSql("select trust_level from users where username = 'vouched'").get()).trust_level).toBe("member");
    // Only moderators trust.
    const { client: plain } = await makeUser(anon(), "plain");
    expect((await plain.post("/admin/users", { intent: "trust", user: id, reason: "" })).status).toBe(403);

    // An edit that adds a link to a new account's comment takes it out of the thread again.
    const editor = await newcomer("editor");
    const posted = await editor.post(`${T}/comment`, { intent: "post", body: "No links yet." });
    const cid = Number(/posted=(\d+)/.exec(posted.headers.get("location")!)![1]);
    const count = await rawSql("select comment_count from topics where slug = 'llama-2-license'").get();
    expect((await editor.post(`/c/${cid}`, { intent: "edit", body: "Now with https://later.example", redirectTo: `/c/${cid}` })).status).toBe(302);
    expect(await text(anon().fork(), T)).not.toContain("later.example");
    expect((await rawSql("select comment_count from topics where slug = 'llama-2-license'").get()).comment_count).toBe(Number(count.comment_count) - 1);
    expect(await text(mod, "/admin/reports")).toContain("later.example");
  });
});

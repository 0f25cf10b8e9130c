import { describe, expect, it } from "vitest";
import { makeUser, postAs, rawSql, useFreshDatabase, useTestServer } from "./helpers";

// Issue 28, C.3: three members' reports on one comment hide it until a
// moderator decides, and the moderation log says so. Dismissing a report
// brings it back; removing it makes it the moderator's removal.

useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const HELD = "[hidden after members&#x27; reports: a moderator will decide]";

const topicComments = async () => Number(await rawSql("select comment_count from topics where slug = 'llama-2-license'").pluck().get());
const reportIdsOf = async (commentId: number) => (await rawSql("select id from reports where comment_id = ? order by id").pluck().all(commentId)) as number[];

describe("members' reports", () => {
  it("two reports leave a comment up; the third hides it from everyone, logged; a moderator's dismissal brings it back", async () => {
    const author = await makeUser(anon(), "author1");
    const id = await postAs(author.id, "A comment some people dislike.");
    // A reply keeps the thread's shape: the hidden comment shows as a placeholder above it.
    await postAs((await makeUser(anon(), "replier")).id, "A reply to it.", { parentId: id });
    const before = await topicComments();
    const reporters = [await makeUser(anon(), "r1"), await makeUser(anon(), "r2"), await makeUser(anon(), "r3")];
    for (const r of reporters.slice(0, 2)) expect((await r.client.post(`/c/${id}`, { intent: "report", reason: "Rude" })).status).toBe(302);
    expect(await (await anon().get(T)).text()).toContain("A comment some people dislike.");

    expect((await reporters[2].client.post(`/c/${id}`, { intent: "report", reason: "Rude" })).status).toBe(302);
    // Hidden for readers, anonymous (a new kept page) or signed in, and counted out.
    for (const page of [await (await anon().fork().get(T)).text(), await (await author.client.get(`/c/${id}`)).text()]) {
      expect(page).not.toContain("A comment some people dislike.");
      expect(page).toContain(HELD);
      expect(page).toContain("A reply to it.");
    }
    expect(await topicComments()).toBe(before - 1);
    expect(await rawSql("select actor_id, action from moderation_log where target_id = ? order by id").all(String(id))).toEqual([{ actor_id: null, action: "comment.hide_reports" }]);
    // Nobody can pile on a hidden comment.
    expect((await (await makeUser(anon(), "r4")).client.post(`/c/${id}`, { intent: "report", reason: "Rude" })).status).toBe(409);

    const mod = await makeUser(anon(), "mod1", "moderator");
    const queue = await (await mod.client.get("/admin/reports")).text();
    expect(queue).toContain("Hidden by members&#x27; reports until you decide");
    const [first] = await reportIdsOf(id);
    expect((await mod.client.post("/admin/reports", { intent: "dismiss", report: String(first), reason: "fair criticism" })).status).toBe(302);
    expect(await (await anon().fork().get(T)).text()).toContain("A comment some people dislike.");
    expect(await topicComments()).toBe(before);
    // The moderator's decision answers every report on it.
    expect(await rawSql("select count(*) from reports where comment_id = ? and status = 'open'").pluck().get(id)).toBe(0);
  });

  it("a moderator removing a hidden comment makes it their removal, counted out once", async () => {
    const author = await makeUser(anon(), "author2");
    const id = await postAs(author.id, "Spam, spam, spam.");
    const before = await topicComments();
    for (const name of ["s1", "s2", "s3"]) expect((await (await makeUser(anon(), name)).client.post(`/c/${id}`, { intent: "report", reason: "Spam" })).status).toBe(302);
    expect(await topicComments()).toBe(before - 1);
    const mod = await makeUser(anon(), "mod2", "moderator");
    const [first] = await reportIdsOf(id);
    expect((await mod.client.post("/admin/reports", { intent: "remove", report: String(first), reason: "spam" })).status).toBe(302);
    expect(await topicComments()).toBe(before - 1);
    const page = await (await anon().fork().get(T)).text();
    expect(page).not.toContain("Spam, spam, spam.");
    expect(page).not.toContain(HELD);
    expect(await rawSql("select removed_by from comments where id = ?").pluck().get(id)).toBe(mod.id);
    expect(await rawSql("select count(*) from reports where comment_id = ? and status = 'actioned'").pluck().get(id)).toBe(3);
  });
});

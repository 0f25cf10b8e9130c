import { describe, expect, it } from "vitest";
import { PROFILE_PAGE_SIZE } from "../app/models/profiles.server";
import { makeUser, optionIds, pollId, TEST_PASSWORD, useFreshDatabase, useTestServer, postAs } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";


async function page(path: string) {
  const res = await anon().get(path);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

describe("profiles", () => {
  it("show the join date, the count and the public comments with links, never removed or deleted ones, never a ballot", async () => {
    const ada = await makeUser(anon(), "ada");
    const mod = await makeUser(anon(), "moddy", "moderator");
    const opts = await optionIds(t.db(), "license-opinion");
    await ada.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[3]) });
    const first = await postAs(ada.id, "Clause 1(v) is the *real* problem.");
    const onPoll = await postAs(ada.id, "Open enough for me.", { pollId: await pollId(t.db(), "license-opinion") });
    const reply = await postAs(ada.id, "Replying to myself, oddly.", { parentId: first });
    const removed = await postAs(ada.id, "Something rude.");
    const deleted = await postAs(ada.id, "Something regretted.");
    expect((await mod.client.post(`/c/${removed}`, { intent: "remove", reason: "rude" })).status).toBe(302);
    expect((await ada.client.post(`/c/${deleted}`, { intent: "delete" })).status).toBe(302);

    const { status, html } = await page("/u/ADA");
    expect(status).toBe(200);
    expect(html).toContain("<h1>ada</h1>");
    expect(html).toMatch(/Joined \d{4}-\d\d-\d\d · 3 public comments/);
    for (const id of [first, onPoll, reply]) expect(html).toContain(`href="/c/${id}"`);
    expect(html).toContain("Clause 1(v) is the real problem.");
    expect(html).toMatch(/Commented in <a [^>]*href="\/t\/llama-2-license\/p\/license-opinion">What do you think of Meta&#x27;s LLAMA-2 license\?<\/a>/);
    expect(html).toMatch(/Replied in <a [^>]*href="\/t\/llama-2-license">/);
    expect(html).not.toContain("Something rude");
    expect(html).not.toContain("Something regretted");
    // How ada voted ("Undecided") appears nowhere on her page.
    expect(html).not.toContain("Undecided");
    // Newest first.
    expect(html.indexOf(`href="/c/${reply}"`)).toBeLessThan(html.indexOf(`href="/c/${first}"`));
    // Author names link to profiles.
    expect((await page(T)).html).toMatch(new RegExp(`<a [^>]*href="/u/ada"[^>]*>ada</a>`));
  });

  it("page 20 comments at a time, newest first", async () => {
    const bo = await makeUser(anon(), "bo");
    const ids: number[] = [];
    for (let i = 0; i < PROFILE_PAGE_SIZE + 5; i++) ids.push(await postAs(bo.id, `Comment number ${i}.`));
    const one = (await page("/u/bo")).html;
    expect(one.match(/class="card"/g)).toHaveLength(PROFILE_PAGE_SIZE);
    expect(one).toContain(`href="/c/${ids[ids.length - 1]}"`);
    expect(one).toContain('href="/u/bo?page=2"');
    const two = (await page("/u/bo?page=2")).html;
    expect(two.match(/class="card"/g)).toHaveLength(5);
    expect(two).toContain(`href="/c/${ids[0]}"`);
    expect(two).not.toContain("page=3");
    expect((await page("/u/bo?page=99")).html).toContain("No more comments.");
    expect((await page("/u/bo?page=-1")).status).toBe(200);
  });

  it("say when an account is suspended or deleted, and 404 for nobody", async () => {
    const cy = await makeUser(anon(), "cy");
    const dee = await makeUser(anon(), "dee");
    const mod = await makeUser(anon(), "moddo", "moderator");
    await postAs(cy.id, "Before the ban.");
    await postAs(dee.id, "Before leaving.");
    expect((await mod.client.post("/admin/users", { intent: "ban", user: cy.id, reason: "spam" })).status).toBe(302);
    expect((await dee.client.post("/settings", { intent: "delete", current: TEST_PASSWORD, confirm: "delete my account" })).status).toBe(302);
    const banned = (await page("/u/cy")).html;
    expect(banned).toContain("This account is suspended.");
    expect(banned).toContain('<meta name="robots" content="noindex"/>');
    const gone = (await page("/u/dee")).html;
    expect(gone).toContain("This account was deleted.");
    expect(gone).not.toContain("Before leaving.");
    for (const path of ["/u/nobody", "/u/%3Cscript%3E", `/u/${"x".repeat(200)}`]) expect((await page(path)).status, path).toBe(404);
  });
});

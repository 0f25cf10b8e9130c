import { describe, expect, it } from "vitest";
import { createTopic } from "../app/models/topics.server";
import { recordVisit, VISIT_GAP_MS } from "../app/models/unread.server";
import { wordDiff } from "../app/lib/word-diff";
import { makeUser, postAs, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();

const html = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");


describe("unread", () => {
  it("the home page sorts topics by latest activity", async () => {
    const bo = await makeUser(anon(), "bob");
    const second = await createTopic({ slug: "second-topic", title: "A second topic", summaryMd: "Second.", sourceUrl: null });
    if (!second.ok) throw new Error(second.message);
    await t.sql("update topics set active_at = ? where slug = 'second-topic'").run(Date.now() + 3600_000);
    // The list, not the "Start here" line above it (which names the first topic).
    const list = (page: string) => page.slice(page.indexOf('class="topic-list"'));
    let home = list(await html(await anon().get("/")));
    expect(home.indexOf("A second topic")).toBeLessThan(home.indexOf("LLAMA-2"));
    await postAs(bo.id, "Bump the first.", { at: Date.now() + 2 * 3600_000 });
    home = list(await html(await anon().get("/")));
    expect(home.indexOf("LLAMA-2")).toBeLessThan(home.indexOf("A second topic"));
  });

  it("counts what is new since each visit on the home page, and marks it in the thread", async () => {
    const ada = await makeUser(anon(), "ada");
    const bo = await makeUser(anon(), "bob");
    const hourAgo = Date.now() - 3600_000;
    // A first visit counts nothing as new.
    expect(await html(await ada.client.get("/t/llama-2-license"))).not.toContain("new-badge");
    await t.sql("update topic_visits set seen_at = ?, mark_from = ?").run(hourAgo, hourAgo);
    await postAs(bo.id, "New one.", { at: hourAgo + 60_000 });
    await postAs(bo.id, "New two.", { at: hourAgo + 120_000 });
    await postAs(ada.id, "Mine is not news to me.", { at: hourAgo + 180_000 });
    expect(await html(await ada.client.get("/"))).toContain(">2 new</span>");
    expect(await html(await anon().get("/"))).not.toContain(" new</span>");
    // Opening the topic marks the two as new, and the home count goes.
    const topic = await html(await ada.client.get("/t/llama-2-license"));
    expect(topic.match(/class="comment new"/g)).toHaveLength(2);
    expect(await html(await ada.client.get("/"))).not.toContain(" new</span>");
    // A reload within the visit keeps the marks.
    expect((await html(await ada.client.get("/t/llama-2-license"))).match(/class="comment new"/g)).toHaveLength(2);
  });

  it("a visit ends after a gap: marks then start from the last visit", async () => {
    const ada = await makeUser(anon(), "ada");
    const t0 = 1_000_000_000_000;
    expect(await recordVisit(ada.id, 1, t0)).toBeNull();
    expect(await recordVisit(ada.id, 1, t0 + 60_000)).toBe(t0);
    const later = t0 + 60_000 + VISIT_GAP_MS + 1;
    expect(await recordVisit(ada.id, 1, later)).toBe(t0 + 60_000);
    expect(await recordVisit(ada.id, 1, later + 1000)).toBe(t0 + 60_000);
  });
});

describe("edit history", () => {
  it("shows word-level changes between revisions", async () => {
    expect(wordDiff("the cat sat", "the dog sat down")).toEqual([
      { text: "the ", op: "same" },
      { text: "cat", op: "del" },
      { text: "dog", op: "add" },
      { text: " sat", op: "same" },
      { text: " down", op: "add" },
    ]);
    const ada = await makeUser(anon(), "ada");
    const id = await postAs(ada.id, "Clause 1(v) blocks distillation.");
    expect((await ada.client.post(`/c/${id}`, { intent: "edit", body: "Clause 1(v) blocks distillation and <b>RLAIF</b>." })).status).toBe(302);
    expect((await ada.client.post(`/c/${id}`, { intent: "edit", body: "Clause 1(v) blocked RLAIF." })).status).toBe(302);
    const page = await html(await anon().get(`/c/${id}?history=1`));
    expect(page).toContain("Original");
    expect(page).toMatch(/<ins><span class="sr-only">\[added: <\/span> and &lt;b&gt;RLAIF&lt;\/b&gt;<span class="sr-only">\]<\/span><\/ins>/);
    expect(page).toMatch(/<del><span class="sr-only">\[removed: <\/span>blocks<span class="sr-only">\]<\/span><\/del><ins><span class="sr-only">\[added: <\/span>blocked/);
    expect(page).not.toContain("<b>RLAIF</b>");
  });
});

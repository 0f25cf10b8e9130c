import { describe, expect, it } from "vitest";
import { search, SEARCH_PAGE_SIZE, searchWords, segments } from "../app/models/search.server";
import { makeUser, pollId, useFreshDatabase, useTestServer, postAs } from "./helpers";

useFreshDatabase();
const anon = useTestServer();


const html = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");
async function hits(q: string, opts: { topic?: string; page?: number } = {}) {
  const res = await search(q, opts);
  if (!res.ok) throw new Error(res.message);
  return res;
}

describe("search words", () => {
  it("keep letters and digits only, so no query is syntax", () => {
    expect(searchWords('"unbalanced AND (NEAR* -x OR title:y')).toEqual(["unbalanced", "and", "near", "x", "or", "title", "y"]);
    expect(searchWords("Llama-2 licence, 700M")).toEqual(["llama", "2", "licence", "700m"]);
    expect(searchWords('""** ()')).toEqual([]);
  });
  it("split highlights into parts, never into markup", () => {
    expect(segments("a \u0001b<i>\u0002 c")).toEqual([
      { text: "a ", hit: false },
      { text: "b<i>", hit: true },
      { text: " c", hit: false },
    ]);
  });
});

describe("search", () => {
  it("finds topics, poll questions and comments, ranked, with escaped highlights", async () => {
    const ada = await makeUser(anon(), "ada");
    const id = await postAs(ada.id, "Distillation <img src=x onerror=alert(1)> into a smaller model is what clause 1(v) forbids.");
    const onPoll = await postAs(ada.id, "Distillation again, on the poll.", { pollId: await pollId(null as never, "license-opinion") });
    const r = await hits("distillation");
    expect(r.hits.map((h) => [h.kind, h.id]).sort()).toEqual(
      expect.arrayContaining([
        ["comment", id],
        ["comment", onPoll],
      ]),
    );
    const c = r.hits.find((h) => h.kind === "comment" && h.id === id)!;
    expect(c.author).toBe("ada");
    expect(c.snippet.some((s) => s.hit && /distillation/i.test(s.text))).toBe(true);
    expect(r.hits.find((h) => h.kind === "comment" && h.id === onPoll)!.poll?.slug).toBe("license-opinion");
    // Stemming: "licences"/"licensing" find "license" words in the seeded topic and polls.
    const topicHit = (await hits("LLAMA license")).hits;
    expect(topicHit.some((h) => h.kind === "topic")).toBe(true);
    expect(topicHit.some((h) => h.kind === "poll")).toBe(true);

    const page = await html(await anon().get("/search?q=distillation"));
    expect(page).toContain(`href="/c/${id}"`);
    expect(page).toMatch(/<mark>Distillation<\/mark>/);
    // The stored text holds a tag: a highlighted snippet shows it as text, never as markup.
    expect(page).not.toContain("<img src=x");
  });

  it("show snippets as words, not markdown: no ** and no link addresses (issue 23, newcomer 7)", async () => {
    const ada = await makeUser(anon(), "ada");
    await postAs(ada.id, "Read **clause 1(v)** against the [OSD](https://opensource.org/osd) and `distillation` falls.");
    const c = (await hits("distillation")).hits.find((h) => h.kind === "comment")!;
    const text = c.snippet.map((s) => s.text).join("");
    expect(text).toContain("clause 1(v)");
    expect(text).toContain("OSD");
    expect(text).not.toMatch(/\*\*|\]\(|https:|`/);
    const page = await html(await anon().get("/search?q=distillation"));
    expect(page).not.toContain("**clause");
    expect(page).not.toContain("(https://opensource.org/osd)");
  });

  it("never finds removed or deleted comments, and finds edits at once", async () => {
    const ada = await makeUser(anon(), "ada");
    const mod = await makeUser(anon(), "moddy", "moderator");
    const removed = await postAs(ada.id, "Zebra crossing remark.");
    const deleted = await postAs(ada.id, "Zebra stripes remark.");
    const edited = await postAs(ada.id, "Giraffe remark.");
    expect((await hits("zebra")).hits.map((h) => h.id).sort()).toEqual([removed, deleted].sort());
    expect((await mod.client.post(`/c/${removed}`, { intent: "remove", reason: "test" })).status).toBe(302);
    expect((await ada.client.post(`/c/${deleted}`, { intent: "delete" })).status).toBe(302);
    expect((await hits("zebra")).hits).toEqual([]);
    expect((await ada.client.post(`/c/${edited}`, { intent: "edit", body: "Okapi remark." })).status).toBe(302);
    expect((await hits("giraffe")).hits).toEqual([]);
    expect((await hits("okapi")).hits.map((h) => h.id)).toEqual([edited]);
    // A moderator's restore brings it back.
    expect((await mod.client.post(`/c/${removed}`, { intent: "restore", reason: "test" })).status).toBe(302);
    expect((await hits("zebra")).hits.map((h) => h.id)).toEqual([removed]);
  });

  it("filters by topic, pages, and refuses nothing a person can type", async () => {
    const ada = await makeUser(anon(), "ada");
    const ids: number[] = [];
    for (let i = 0; i < SEARCH_PAGE_SIZE + 2; i++) ids.push(await postAs(ada.id, `Quokka number ${i}.`));
    const one = await hits("quokka");
    expect(one.hits).toHaveLength(SEARCH_PAGE_SIZE);
    expect(one.hasMore).toBe(true);
    const two = await hits("quokka", { page: 2 });
    expect(two.hits).toHaveLength(2);
    expect(new Set([...one.hits, ...two.hits].map((h) => h.id)).size).toBe(SEARCH_PAGE_SIZE + 2);
    // Each hit's snippet is cut from its own text: 22 different comments, 22 different snippets.
    const snippets = [...one.hits, ...two.hits].map((h) => h.snippet.map((p) => p.text).join(""));
    expect(new Set(snippets).size).toBe(SEARCH_PAGE_SIZE + 2);
    for (const h of [...one.hits, ...two.hits]) expect(h.snippet.some((p) => p.hit && /quokka/i.test(p.text))).toBe(true);
    expect((await hits("quokka", { topic: "llama-2-license" })).hits).toHaveLength(SEARCH_PAGE_SIZE);
    const paged = await html(await anon().get("/search?q=quokka"));
    expect(paged).toContain('href="/search?q=quokka&amp;page=2"');

    for (const q of ['"', "AND", "quokka OR", "NEAR(a b)", "*", "title:x", "^", "'; drop table comments; --", "\u0000", "😀", "a".repeat(300)]) {
      const res = await anon().get(`/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    expect((await anon().get(`/search?q=${"a".repeat(301)}`)).status).toBe(400);
    expect((await anon().get("/search?q=quokka&topic=nope")).status).toBe(404);
    expect((await anon().get("/search?q=quokka&page=abc")).status).toBe(200);
    expect(await html(await anon().get("/search?q=%22%22"))).toContain("Type some words to search for");
    // The header has the search box on every page.
    expect(await html(await anon().get("/"))).toMatch(/<form method="get" action="\/search" role="search"/);
  });
});

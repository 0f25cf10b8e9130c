import fs from "node:fs";
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allCounts, count, freshDatabaseFile, makeUser, NODE_TS, optionIds, startTestServer, TEST_PASSWORD, useFreshDatabase, useTestServer, type Client, Client as HttpClient, writeCount } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";
const DAY = 86_400_000;

describe("headers", () => {
  it("CSP with a fresh 16-byte nonce on every script of a signed-in page, and the other headers", async () => {
    const { client } = await makeUser(anon(), "csp_reader");
    // A page drawn in full for its reader (the topic, poll and results pages are joined from the kept page, by hash: test/overlay.test.ts).
    const a = await client.get(`${T}/versions`);
    const b = await client.get(`${T}/versions`);
    const csp = a.headers.get("content-security-policy")!;
    const nonceA = /'nonce-([^']+)'/.exec(csp)![1];
    const nonceB = /'nonce-([^']+)'/.exec(b.headers.get("content-security-policy")!)![1];
    expect(Buffer.from(nonceA, "base64")).toHaveLength(16);
    expect(nonceA).not.toBe(nonceB);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-inline");
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const html = await a.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(1);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonceA}"`);
  });

  it("an anonymous (shared) page carries no nonce: the same policy, its inline scripts allowed by hash", async () => {
    const a = await anon().get(T);
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).not.toContain("nonce-");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+;/);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-inline");
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await a.text()).not.toContain("nonce=");
  });

  it("HSTS of a year in production", async () => {
    const server = await startTestServer({ NODE_ENV: "production" });
    const res = await fetch(`${server.url}/`);
    expect(Number(/max-age=(\d+)/.exec(res.headers.get("strict-transport-security") ?? "")?.[1])).toBeGreaterThanOrEqual(31_536_000);
    await server.close();
  });
});

describe("session cookie of a production build", () => {
  it("is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain", async () => {
    const child = spawn(NODE_TS[0], [...NODE_TS[1], "server.ts"], {
      env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", DATABASE_PATH: freshDatabaseFile(), LOG_REQUESTS: "false" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    let port = 0;
    for (let i = 0; i < 200 && !port; i++) {
      port = Number(/:(\d+)\n/.exec(out)?.[1] ?? 0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const base = `http://127.0.0.1:${port}`;
    const res = await new HttpClient(base).post("/signup", { username: "prod_user", password: TEST_PASSWORD });
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-pulse_session=[a-z0-9]+;/);
    for (const attr of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) expect(cookie).toContain(attr);
    expect(cookie).not.toMatch(/Domain=/i);
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGTERM");
    await exited;
  });
});

describe("sessions with a controllable clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const whoami = async (c: Client) => /data-testid="whoami">([^<]+)</.exec(await (await c.get("/")).text())?.[1] ?? null;

  it("slide for 30 days, refresh with a fresh cookie, and end 90 days after sign-in however active", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const c = anon();
    await c.signup("slider");
    vi.setSystemTime(start + 16 * DAY);
    const refreshed = await c.get("/");
    expect(refreshed.headers.get("set-cookie")).toMatch(/pulse_session=.+Max-Age=2592000/);
    expect(await whoami(c)).toBe("slider");
    // Active every 20 days: still signed in at day 80...
    for (const day of [36, 56, 76, 89]) {
      vi.setSystemTime(start + day * DAY);
      expect(await whoami(c), `day ${day}`).toBe("slider");
    }
    // ...but not past the 90-day cap.
    vi.setSystemTime(start + 90 * DAY + 1000);
    expect(await whoami(c)).toBeNull();
  });

  it("expire after 30 idle days", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const c = anon();
    await c.signup("idler");
    vi.setSystemTime(start + 29 * DAY);
    expect(await whoami(c)).toBe("idler");
    vi.setSystemTime(start + 29 * DAY + 31 * DAY);
    expect(await whoami(c)).toBeNull();
  });
});

describe("account hygiene", () => {
  it("sign out everywhere ends every session", async () => {
    const a = anon();
    await a.signup("everywhere");
    const b = anon();
    await b.login("everywhere");
    expect(await count(t.db(), "sessions")).toBe(2);
    const res = await a.post("/settings", { intent: "signout-everywhere" });
    expect(res.headers.get("location")).toBe("/login");
    expect(await count(t.db(), "sessions")).toBe(0);
    expect(await (await b.get("/settings")).status).toBe(302);
  });

  it("changing the password needs the current one, refuses common ones, and ends the other sessions", async () => {
    const a = anon();
    await a.signup("changer");
    const b = anon();
    await b.login("changer");
    const before = (await allCounts(t.db()));
    const hash = await t.sql("select password_hash from users").get();
    const wrong = await a.post("/settings", { intent: "password", current: "not it at all", password: "a brand new passphrase" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");
    const common = await a.post("/settings", { intent: "password", current: TEST_PASSWORD, password: "password1" });
    expect(common.status).toBe(400);
    expect(await common.text()).toContain("10,000 most common");
    expect((await allCounts(t.db()))).toEqual(before);
    expect(await t.sql("select password_hash from users").get()).toEqual(hash);
    const named = await a.post("/settings", { intent: "password", current: TEST_PASSWORD, password: "changer forever and ever" });
    expect(named.status).toBe(400);
    expect(await named.text()).toContain("Do not put your username in your password.");
    const ok = await a.post("/settings", { intent: "password", current: TEST_PASSWORD, password: "a brand new passphrase" });
    expect(ok.status).toBe(302);
    expect((await a.get("/settings")).status).toBe(200);
    expect((await b.get("/settings")).status).toBe(302);
    expect((await anon().login("changer", "a brand new passphrase")).status).toBe(302);
    expect((await anon().login("changer", TEST_PASSWORD)).status).toBe(400);
  });

  it("common passwords and a filled honeypot are refused at sign-up, writing nothing", async () => {
    const before = (await allCounts(t.db()));
    const common = await anon().post("/signup", { username: "weak", password: "iloveyou" });
    expect(common.status).toBe(400);
    expect(await common.text()).toContain("10,000 most common passwords");
    for (const [username, password, message] of [
      ["weak2", "password123", "10,000 most common passwords"],
      ["weak3", "Dragon2024!", "10,000 most common passwords"],
      ["weak4", "mypulsepassword", "site's name"],
      ["margaret", "margaret-is-great", "your username"],
    ]) {
      const res = await anon().post("/signup", { username, password });
      expect(res.status, password).toBe(400);
      expect(await res.text(), password).toContain(message);
    }
    const bot = await anon().post("/signup", { username: "bot", password: TEST_PASSWORD, website: "http://spam.example" });
    expect(bot.status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

describe("rate limits", () => {
  const limited = useTestServer({ RATE_LIMITS: "on" });
  const proxied = useTestServer({ RATE_LIMITS: "on", TRUST_PROXY: "true" });

  it("locks an account for 15 minutes after 10 failed sign-ins, even for the right password", async () => {
    await limited().signup("target");
    for (let i = 0; i < 10; i++) expect((await limited().login("target", `wrong ${i} guess`)).status).toBe(400);
    const right = await limited().login("target");
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(await right.text()).toContain("Too many failed sign-ins for this account");
    expect(await count(t.db(), "sessions")).toBe(1);
  });

  it("keeps the lock for 15 minutes from the tenth failure, then lets the right password in (controllable clock)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const t0 = Date.now();
      await limited().signup("slowtarget");
      for (let i = 0; i < 9; i++) expect((await limited().login("slowtarget", `wrong ${i} guess`)).status).toBe(400);
      vi.setSystemTime(t0 + 14 * 60_000);
      expect((await limited().login("slowtarget", "wrong again, tenth")).status).toBe(400);
      vi.setSystemTime(t0 + 16 * 60_000);
      expect((await limited().login("slowtarget")).status).toBe(429);
      vi.setSystemTime(t0 + 28 * 60_000);
      expect((await limited().login("slowtarget")).status).toBe(429);
      vi.setSystemTime(t0 + 30 * 60_000);
      expect((await limited().login("slowtarget")).status).toBe(302);
    } finally {
      vi.useRealTimers();
    }
  });

  it("allows 100 failed sign-ins an hour per address, counts no successful one, and rotating X-Forwarded-For does not help", async () => {
    // A class signing in together behind one address is never stopped by its successes.
    await limited().signup("pupil");
    for (let i = 0; i < 120; i++) expect((await limited().login("pupil")).status, `sign-in ${i}`).toBe(302);
    for (let i = 0; i < 100; i++) {
      const res = await limited().post("/login", { username: `nobody${i}`, password: "whatever it is" }, { headers: { "X-Forwarded-For": `10.0.0.${i}` } });
      expect(res.status).toBe(400);
    }
    const res = await limited().post("/login", { username: "nobody", password: "whatever it is" }, { headers: { "X-Forwarded-For": "10.9.9.9" } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(3000);
    // The wait is written as people write it.
    expect(await res.text()).toMatch(/Try again in (60 minutes|1 hour)\./);
  });

  it("behind a trusted proxy, X-Forwarded-For names the client", async () => {
    for (let i = 0; i < 100; i++) await proxied().post("/login", { username: `p${i}`, password: "whatever it is" }, { headers: { "X-Forwarded-For": "203.0.113.7" } });
    expect((await proxied().post("/login", { username: "p", password: "whatever it is" }, { headers: { "X-Forwarded-For": "203.0.113.7" } })).status).toBe(429);
    expect((await proxied().post("/login", { username: "p", password: "whatever it is" }, { headers: { "X-Forwarded-For": "203.0.113.8" } })).status).toBe(400);
  });

  it("allows 60 sign-up attempts per address an hour, names already taken included", async () => {
    await makeUser(anon(), "taken");
    // Probing whether a name exists costs an attempt like any other.
    for (let i = 0; i < 10; i++) expect((await limited().signup("taken")).status).toBe(400);
    for (let i = 0; i < 50; i++) expect((await limited().signup(`fresh${i}`)).status, `sign-up ${i}`).toBe(302);
    const next = await limited().signup("fresh50");
    expect(next.status).toBe(429);
    expect(Number(next.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(await next.text()).toMatch(/Try again in (60 minutes|1 hour)\./);
    expect(await count(t.db(), "users")).toBe(51);
  });

  it("caps sign-ups on the whole site at 600 an hour, whatever the addresses", async () => {
    const { createLimits, take } = await import("../app/auth/rate-limits.server");
    const limits = createLimits(true);
    for (let i = 0; i < 600; i++) expect(await take(limits, limits.signupEverywhere, "all", "new accounts"), `sign-up ${i}`).toBeNull();
    const refused = await take(limits, limits.signupEverywhere, "all", "new accounts on Pulse right now");
    expect(refused?.code).toBe("rate_limited");
    expect(refused?.retryAfter).toBeGreaterThan(3000);
    expect(refused?.message).toMatch(/^Too many new accounts on Pulse right now\. Try again in (60 minutes|1 hour)\.$/);
  });

  it("reserves names that would pass for Pulse or its staff", async () => {
    // Lookalikes too (issue 23, finding 8): digits read as the letters they pass for.
    for (const name of ["admin", "Root", "moderator", "system", "pulse", "support", "admin1", "mod-erator", "adm1n", "4dmin", "r00t", "m0derator", "administrat0r", "supp0rt", "4dmin99", "he1p", "5y5tem"]) {
      const res = await anon().signup(name);
      expect(res.status, name).toBe(400);
      expect(await res.text()).toContain("That name is reserved");
    }
    for (const name of ["pulse_fan", "l33tcoder", "bob_99", "r2d2", "alice2024"]) expect((await anon().signup(name)).status, name).toBe(302);
    expect(await count(t.db(), "users")).toBe(5);
  });

  it("allows 60 changes a minute per signed-in user", async () => {
    const { client } = await makeUser(limited(), "busy");
    const opts = (await optionIds(t.db(), "license-opinion"));
    for (let i = 0; i < 60; i++) expect((await client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[i % 4]) })).status).toBe(302);
    const res = await client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect((await client.get(T)).status).toBe(200);
  });

  it("allows 1,200 requests a minute per address, build files not counted", async () => {
    const c = limited();
    const statuses: number[] = [];
    for (let i = 0; i < 1200; i += 50) statuses.push(...(await Promise.all(Array.from({ length: 50 }, () => c.get("/healthz")))).map((r) => r.status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const res = await c.get("/healthz");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
    // A first visit's dozen script files still arrive.
    const entry = fs.readdirSync("public/build").find((f) => f.startsWith("entry.client-"))!;
    expect((await c.get(`/build/${entry}`)).status).toBe(200);
  });
});

describe("strict input: fields that could set ids, roles, scores or authors are refused", () => {
  it("on every form", async () => {
    const admin = await makeUser(anon(), "sa", "admin");
    const member = await makeUser(anon(), "sm");
    const opts = (await optionIds(t.db(), "license-opinion"));
    const { postComment } = await import("../app/models/comments.server");
    const own = await postComment({ userId: member.id, topicId: 1, pollId: null, parentId: null, body: "mine", stanceOptionId: null }, Date.now() - 100_000);
    const other = await postComment({ userId: admin.id, topicId: 1, pollId: null, parentId: null, body: "theirs", stanceOptionId: null }, Date.now() - 100_000);
    if (!own.ok || !other.ok) throw new Error("setup");
    const forms: [Client | null, string, Record<string, string>][] = [
      [null, "/signup", { username: "mass", password: TEST_PASSWORD }],
      [null, "/login", { username: "sm", password: TEST_PASSWORD }],
      [member.client, `${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) }],
      [member.client, `${T}/comment`, { intent: "post", body: "hello" }],
      [member.client, `/c/${own.id}`, { intent: "edit", body: "changed" }],
      [member.client, `/c/${other.id}`, { intent: "up" }],
      [member.client, `/c/${other.id}`, { intent: "report", reason: "spam spam" }],
      [member.client, "/settings", { intent: "password", current: TEST_PASSWORD, password: "another good passphrase" }],
      [admin.client, "/admin/topics/new", { intent: "save", slug: "mass-topic", title: "Mass topic", summaryMd: "x", sourceUrl: "" }],
      [admin.client, "/admin/users", { intent: "ban", user: member.id }],
      [admin.client, "/admin/threads", { intent: "lock", topic: "llama-2-license", redirectTo: "/" }],
    ];
    for (const [client, p, fields] of forms) {
      const extras: Record<string, string>[] = [{ userId: admin.id }, { role: "admin" }, { score: "999" }, { authorId: admin.id }];
      for (const extra of extras) {
        const before = (await allCounts(t.db()));
        const snapshot = JSON.stringify(await t.sql("select * from users order by id").all()) + JSON.stringify(await t.sql("select * from comments order by id").all());
        const res = await (client ?? anon()).post(p, { ...fields, ...extra });
        expect(res.status, `${p} + ${Object.keys(extra)[0]}`).toBe(400);
        expect((await allCounts(t.db()))).toEqual(before);
        expect(JSON.stringify(await t.sql("select * from users order by id").all()) + JSON.stringify(await t.sql("select * from comments order by id").all())).toBe(snapshot);
      }
    }
  });
});

describe("GET never writes", () => {
  it("crawling every page as anonymous, member and admin writes nothing", async () => {
    const admin = await makeUser(anon(), "crawler_admin", "admin");
    const member = await makeUser(anon(), "crawler_member");
    const opts = (await optionIds(t.db(), "license-opinion"));
    await member.client.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
    await member.client.post(`${T}/comment`, { intent: "post", body: "a comment to look at" });
    await member.client.post(`/c/1`, { intent: "edit", body: "edited" });
    const paths = [
      "/", T, `${T}?sort=new&page=2`, `${T}?stance=1`, `${T}/p/license-opinion`, `${T}/p/statement-misleading`, `${T}/results`,
      `${T}/results?a=license-opinion&b=implications`, `${T}/results.json`, `${T}/results.csv`, `${T}/feed.xml`, "/c/1", "/c/1?history=1",
      `${T}/comment`, `${T}/comment?parent=1`, "/settings", "/settings/export.json", "/login", "/signup", "/logout", "/moderation",
      "/admin", "/admin/topics", "/admin/topics/new", `/admin/topics/llama-2-license`, "/admin/polls/new?topic=llama-2-license", "/admin/polls/1",
      "/admin/reports", "/admin/users", "/admin/users?q=crawl", "/admin/log", "/no/such/page", "/t/nope", "/c/99999",
      "/notifications", "/notifications?before=5", "/search?q=license", `/search?q=${encodeURIComponent('"NEAR(')}&topic=llama-2-license`, "/u/crawler_member",
      "/recover", "/welcome", `/reset/${"x".repeat(32)}`,
    ];
    // A signed-in reader's own read state is the one thing a GET records: the
    // visit to a topic (at most once a minute, decision 017) and, on their
    // first welcome page, their recovery codes. A first pass records those;
    // the crawl that counts is the second, where any other write would show.
    for (const c of [member.client, admin.client]) for (const p of paths) await (await c.get(p)).arrayBuffer();
    const before = await writeCount();
    for (const c of [anon(), member.client, admin.client]) {
      for (const p of paths) {
        const res = await c.get(p);
        expect(res.status, p).toBeLessThan(500);
        await res.arrayBuffer();
      }
      const ctrl = new AbortController();
      const stream = await fetch(`${c.base}${T}/results/stream`, { signal: ctrl.signal, headers: { Cookie: c.cookieHeader() } });
      expect(stream.status).toBe(200);
      ctrl.abort();
    }
    // /healthz is left out on purpose: it proves the database takes writes
    // with one tiny write at most every HEALTH_WRITE_INTERVAL_MS (see hostile.test.ts).
    expect(await writeCount()).toBe(before);
  });
});

describe("your data", () => {
  it("downloads everything about you and deletes the account end to end", async () => {
    const me = anon();
    await me.signup("leaver");
    const other = await makeUser(anon(), "stayer");
    const opts = (await optionIds(t.db(), "license-opinion"));
    await me.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[0]) });
    await me.post(`${T}/p/license-opinion`, { intent: "vote", option: String(opts[1]) });
    await me.post(`${T}/comment`, { intent: "post", body: "my secret opinion" });
    const mine = Number(await t.sql("select id from comments").pluck().get());
    await t.sql("update comments set created_at = created_at - 10000").run();
    await me.post(`/c/${mine}`, { intent: "edit", body: "my secret opinion, revised" });
    await other.client.post(`${T}/comment?parent=${mine}`, { intent: "post", body: "a reply that stays" });
    const theirs = Number(await t.sql("select id from comments where body_md = 'a reply that stays'").pluck().get());
    await me.post(`/c/${theirs}`, { intent: "up" });

    const exp = await me.get("/settings/export.json");
    expect(exp.headers.get("content-disposition")).toContain("attachment");
    const data = await exp.json();
    expect(data.profile.username).toBe("leaver");
    expect(data.ballots).toHaveLength(1);
    expect(data.ballots[0].choices).toEqual(["Not open source, but open enough for my use"]);
    expect(data.ballots[0].history.map((h: any) => h.action)).toEqual(["cast", "change"]);
    expect(data.comments[0].body).toBe("my secret opinion, revised");
    expect(data.comments[0].revisions.map((r: any) => r.body)).toEqual(["my secret opinion", "my secret opinion, revised"]);
    expect(JSON.stringify(data)).not.toContain("stayer");
    expect((await anon().get("/settings/export.json")).status).toBe(302);

    const refused = await me.post("/settings", { intent: "delete", current: "wrong password!", confirm: "delete my account" });
    expect(refused.status).toBe(400);
    const res = await me.post("/settings", { intent: "delete", current: TEST_PASSWORD, confirm: "delete my account" });
    expect(res.status).toBe(302);
    const userId = await t.sql("select id from users where username = 'leaver'").pluck().get();
    expect(await t.sql("select count(*) from sessions where user_id = ?").pluck().get(userId)).toBe(0);
    expect(await t.sql("select count(*) from ballots where user_id = ?").pluck().get(userId)).toBe(0);
    expect(await t.sql("select count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies where option_id = ?").pluck().get(opts[1])).toBe(0);
    expect(await t.sql("select voter_count + coalesce((select sum(d.delta) from tally_deltas d where d.poll_id = polls.id and d.option_id is null), 0) as voter_count from polls where slug = 'license-opinion'").pluck().get()).toBe(0);
    expect(await t.sql("select ups from comments where id = ?").pluck().get(theirs)).toBe(0);
    const page = await (await anon().get(T)).text();
    expect(page).not.toContain("my secret opinion");
    expect(page).toContain("[deleted]");
    expect(page).toContain("a reply that stays");
    expect(JSON.stringify(await t.sql("select * from comments").all())).not.toContain("secret");
    expect(JSON.stringify(await t.sql("select * from comment_revisions").all())).not.toContain("secret");
    expect((await me.get("/settings")).status).toBe(302);
    expect((await anon().login("leaver")).status).toBe(400);
    const again = await anon().signup("leaver");
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("That username is taken.");
  });
});

describe("errors in production", () => {
  it("show no stack, SQL or path; the page and the log carry the request id", async () => {
    const server = await startTestServer({ NODE_ENV: "production" });
    const logged: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args) => {
      logged.push(args.map(String).join(" "));
    });
    await t.sql("drop table ballot_history").run();
    const res = await fetch(`${server.url}/t/llama-2-license/results`);
    const body = await res.text();
    spy.mockRestore();
    await server.close();
    expect(res.status).toBe(500);
    const id = res.headers.get("x-request-id")!;
    expect(body).toContain("Something went wrong");
    expect(body).toContain(id);
    for (const leak of ["ballot_history", "SQLITE", "no such table", "at ", "/work", ".ts:", "node_modules"]) {
      expect(body.replace(/<script[\s\S]*?<\/script>/g, (s) => (s.includes("window.__remixContext") ? s : "")), leak).not.toContain(leak);
    }
    expect(logged.some((l) => l.includes(`id=${id}`) && l.includes("ballot_history"))).toBe(true);
  });
});

describe("hostile requests get 4xx, never 500", () => {
  it("non-form bodies, oversized bodies, malformed escapes, control characters", async () => {
    const { client } = await makeUser(anon(), "hostile");
    const before = (await allCounts(t.db()));
    for (const p of ["/signup", "/login", "/logout", `${T}/comment`, `${T}/p/license-opinion`, "/settings"]) {
      const json = await client.request(p, { method: "POST", body: '{"a":1}', headers: { "Content-Type": "application/json" } });
      expect(json.status, `${p} json`).toBe(400);
      const multipart = await client.request(p, { method: "POST", body: "garbage", headers: { "Content-Type": "multipart/form-data; boundary=xx" } });
      expect(multipart.status, `${p} multipart`).toBe(400);
    }
    const big = await client.post("/login", { username: "x", password: "y".repeat(300_000) });
    expect(big.status).toBe(413);
    expect((await anon().get("/t/%E0%A4%A")).status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
    const nul = await client.post(`${T}/comment`, { intent: "post", body: "\u0000\u0001\u0007" });
    expect(nul.status).toBe(400);
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

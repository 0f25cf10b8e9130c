import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { issueResetLink, upgradeRecoveryDigests } from "../app/models/recovery.server";
import { count, makeUser, TEST_PASSWORD, useFreshDatabase, useTestServer, type Client } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const limited = useTestServer({ RATE_LIMITS: "on", TRUST_PROXY: "true" });

const html = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");
const codesIn = (page: string) => [...page.matchAll(/<li>([2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})<\/li>/g)].map((m) => m[1]);
const signedInAs = async (c: Client) => /data-testid="whoami">([^<]+)</.exec(await html(await c.get("/")))?.[1] ?? null;

async function signUpWithCodes(c: Client, name: string) {
  const res = await c.signup(name);
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/welcome");
  const codes = codesIn(await html(await c.get("/welcome")));
  expect(codes).toHaveLength(10);
  return codes;
}

describe("recovery codes", () => {
  it("are shown once at sign-up, stored only as digests, and one gets you back in, ending every other session", async () => {
    const c = anon();
    const codes = await signUpWithCodes(c, "ada");
    expect(new Set(codes).size).toBe(10);
    // A reload shows no codes: they were shown once.
    const again = await html(await c.get("/welcome"));
    expect(codesIn(again)).toEqual([]);
    expect(again).toContain("Recovery codes are shown once, when you sign up");
    const stored = (await t.sql("select code_hash from recovery_codes").pluck().all()) as string[];
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(stored.join(" ")).not.toContain(code.replaceAll("-", ""));
    // Each digest is bound to its person: not the bare SHA-256 one search of a dump would cover (issue 23, finding 10).
    for (const code of codes) expect(stored).not.toContain(createHash("sha256").update(code.replaceAll("-", "")).digest("hex"));
    for (const d of stored) expect(d).toMatch(/^h1:[0-9a-f]{64}$/);
    // Sign-up from a page comes back to it after the codes.
    const other = anon().fork();
    const back = await other.post("/signup", { username: "bob", password: TEST_PASSWORD, redirectTo: "/t/llama-2-license" });
    expect(back.headers.get("location")).toBe("/welcome?next=%2Ft%2Fllama-2-license");
    expect(await html(await other.get("/welcome?next=%2Ft%2Fllama-2-license"))).toContain('href="/t/llama-2-license"');

    const phone = anon().fork();
    const wrong = await phone.post("/recover", { username: "ada", code: "aaaa-bbbb-cccc", password: "a brand new passphrase" });
    expect(wrong.status).toBe(400);
    expect(await html(wrong)).toContain("do not match an unused code");
    // Case, spaces and dashes do not matter.
    const typed = codes[3].toUpperCase().replaceAll("-", " ");
    const weak = await phone.post("/recover", { username: "ada", code: typed, password: "password" });
    expect(weak.status).toBe(400);
    expect(await html(weak)).toContain("most common passwords");
    expect(await count(t.db(), "recovery_codes where used_at is not null")).toBe(0);
    const ok = await phone.post("/recover", { username: "ADA", code: typed, password: "a brand new passphrase" });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/settings?recovered=9#recovery");
    expect(await signedInAs(phone)).toBe("ada");
    // The session from sign-up is over; the old password is refused, the new one works.
    expect(await signedInAs(c)).toBeNull();
    expect((await anon().fork().login("ada")).status).toBe(400);
    expect((await anon().fork().login("ada", "a brand new passphrase")).status).toBe(302);
    // Each code works once.
    const reuse = await anon().fork().post("/recover", { username: "ada", code: codes[3], password: "another new passphrase" });
    expect(reuse.status).toBe(400);
    expect((await anon().fork().post("/recover", { username: "ada", code: codes[4], password: "another new passphrase" })).status).toBe(302);
    // A code is one person's: bob cannot use ada's.
    expect((await anon().fork().post("/recover", { username: "bob", code: codes[5], password: "another new passphrase" })).status).toBe(400);
    expect((await anon().fork().post("/recover", { username: "nobody", code: codes[5], password: "another new passphrase" })).status).toBe(400);
    expect((await anon().fork().post("/recover", { username: "ada" })).status).toBe(400);
  });

  it("are made anew from /settings with the password, and the old ones stop working", async () => {
    const c = anon();
    const old = await signUpWithCodes(c, "cyd");
    expect((await c.post("/settings", { intent: "recovery-codes", current: "wrong password" })).status).toBe(400);
    const res = await c.post("/settings", { intent: "recovery-codes", current: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const fresh = codesIn(await html(res));
    expect(fresh).toHaveLength(10);
    expect(fresh.some((f) => old.includes(f))).toBe(false);
    expect(await html(await c.get("/settings"))).toMatch(/You have <strong>10<\/strong> unused codes/);
    expect((await anon().fork().post("/recover", { username: "cyd", code: old[0], password: "a brand new passphrase" })).status).toBe(400);
    expect((await anon().fork().post("/recover", { username: "cyd", code: fresh[0], password: "a brand new passphrase" })).status).toBe(302);
  });

  it("cannot be guessed: five wrong codes lock the account's recovery from that address for an hour; the owner gets in from elsewhere", async () => {
    const c = limited();
    const codes = await signUpWithCodes(c, "dee");
    const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } });
    for (let i = 0; i < 5; i++) {
      const res = await limited().fork().post("/recover", { username: "dee", code: `zzzz-zzzz-zzz${i + 2}`, password: "a brand new passphrase" }, from("198.51.100.66"));
      expect(res.status, `guess ${i}`).toBe(400);
    }
    const locked = await limited().fork().post("/recover", { username: "dee", code: codes[0], password: "a brand new passphrase" }, from("198.51.100.66"));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(3000);
    // Nothing was spent or changed.
    expect(await count(t.db(), "recovery_codes where used_at is not null")).toBe(0);
    expect(await signedInAs(c)).toBe("dee");
    // The guesser locked only themselves (issue 23, finding 9): the owner, elsewhere, gets in.
    const owner = await limited().fork().post("/recover", { username: "dee", code: codes[0], password: "a brand new passphrase" }, from("203.0.113.5"));
    expect(owner.status).toBe(302);
  });

  it("tell no stranger whether a name exists: a weak password with a wrong code gets the code's answer, and costs the guess (issue 23, finding 14)", async () => {
    await signUpWithCodes(limited(), "eve_owner");
    const from = { headers: { "X-Forwarded-For": "198.51.100.77" } };
    const answers: string[] = [];
    for (const username of ["eve_owner", "nobody_here"]) {
      // The password holds the name: refused for the owner, but only a right code reaches that check.
      const res = await limited().fork().post("/recover", { username, code: "zzzz-zzzz-zzzz", password: `${username} secret words` }, from);
      expect(res.status).toBe(400);
      answers.push([...(await html(res)).matchAll(/role="alert"[^>]*>([^<]*)</g)].map((m) => m[1]).join(" | "));
    }
    expect(answers[0]).toContain("do not match an unused code");
    expect(answers[1]).toBe(answers[0]);
    // Each of the two cost a point: 18 more, and the address is at its 20 an hour.
    for (let i = 0; i < 18; i++) await limited().fork().post("/recover", { username: `x${i}`, code: "zzzz-zzzz-zzzz", password: "whatever words" }, from);
    expect((await limited().fork().post("/recover", { username: "eve_owner", code: "zzzz-zzzz-zzzz", password: "eve_owner again" }, from)).status).toBe(429);
  });

  it("are made at sign-up only: an older account's welcome page mints none, so a copied cookie cannot (issue 23, finding 2)", async () => {
    const c = anon();
    expect((await c.signup("old_timer")).status).toBe(302);
    // An account from before codes existed, or any made over ten minutes ago, with no codes.
    await t.sql("delete from recovery_codes").run();
    await t.sql("update users set created_at = created_at - ? where username = 'old_timer'").run(11 * 60 * 1000);
    const page = await c.get("/welcome");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(codesIn(await html(page))).toEqual([]);
    expect(await count(t.db(), "recovery_codes")).toBe(0);
    // With the password, from settings, they can (and that page is not stored either).
    const made = await c.post("/settings", { intent: "recovery-codes", current: TEST_PASSWORD });
    expect(codesIn(await html(made))).toHaveLength(10);
    expect(made.headers.get("cache-control")).toBe("no-store");
    expect((await c.get("/settings")).headers.get("cache-control")).toBe("no-store");
  });

  it("stored before digests were bound are upgraded at start, and still work", async () => {
    const c = anon();
    const codes = await signUpWithCodes(c, "legacy");
    // As an older Pulse stored them: the bare SHA-256 of the code.
    await t.sql("delete from recovery_codes").run();
    const uid = (await t.sql("select id from users where username = 'legacy'").pluck().get()) as string;
    for (const code of codes) await t.sql("insert into recovery_codes (user_id, code_hash, created_at) values (?, ?, ?)").run(uid, createHash("sha256").update(code.replaceAll("-", "")).digest("hex"), Date.now());
    expect(await upgradeRecoveryDigests()).toBe(10);
    expect(await upgradeRecoveryDigests()).toBe(0);
    const stored = (await t.sql("select code_hash from recovery_codes").pluck().all()) as string[];
    for (const d of stored) expect(d).toMatch(/^h1:/);
    expect((await anon().fork().post("/recover", { username: "legacy", code: codes[2], password: "a brand new passphrase" })).status).toBe(302);
  });
});

describe("admin reset links", () => {
  it("are issued by admins only, logged, work once within 24 hours, and end every session", async () => {
    const admin = await makeUser(anon(), "boss", "admin");
    const mod = await makeUser(anon(), "moddy", "moderator");
    const ed = await makeUser(anon(), "ed");
    expect((await mod.client.post("/admin/users", { intent: "reset-link", user: ed.id })).status).toBe(403);
    expect((await ed.client.post("/admin/users", { intent: "reset-link", user: ed.id })).status).toBe(403);
    expect((await admin.client.post("/admin/users", { intent: "reset-link", user: "nobody" })).status).toBe(404);
    const res = await admin.client.post("/admin/users", { intent: "reset-link", user: ed.id });
    expect(res.status).toBe(200);
    const link = /data-testid="reset-link"[^>]*>([^<]+)</.exec(await html(res))![1];
    const path = new URL(link).pathname;
    expect(path).toMatch(/^\/reset\/[A-Za-z0-9_-]{32}$/);
    expect(await t.sql("select count(*) as n from password_resets where token_hash = ?").pluck().get(path.slice(7))).toBe(0);
    expect(await html(await admin.client.get("/admin/log"))).toContain("issued a password reset link for");

    const phone = anon().fork();
    const form = await phone.get(path);
    expect(form.status).toBe(200);
    expect(await html(form)).toContain("For <strong>ed</strong>");
    expect((await phone.post(path, { password: "password" })).status).toBe(400);
    const done = await phone.post(path, { password: "a brand new passphrase" });
    expect(done.status).toBe(302);
    expect(await signedInAs(phone)).toBe("ed");
    expect(await signedInAs(ed.client)).toBeNull();
    expect((await anon().fork().login("ed", "a brand new passphrase")).status).toBe(302);
    // Once only.
    expect((await anon().fork().get(path)).status).toBe(404);
    expect((await anon().fork().post(path, { password: "another new passphrase" })).status).toBe(404);

    // Expired after 24 hours; a newer link voids an older one.
    const stale = await issueResetLink(admin.id, ed.id, Date.now() - 25 * 3600 * 1000);
    if (!stale.ok) throw new Error(stale.message);
    expect((await anon().fork().get(`/reset/${stale.token}`)).status).toBe(404);
    const first = await issueResetLink(admin.id, ed.id);
    const second = await issueResetLink(admin.id, ed.id);
    if (!first.ok || !second.ok) throw new Error("not issued");
    expect((await anon().fork().get(`/reset/${first.token}`)).status).toBe(404);
    expect((await anon().fork().get(`/reset/${second.token}`)).status).toBe(200);
  });

  it("cannot be guessed: unknown links cost points, then 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await limited().fork().get(`/reset/${"x".repeat(31)}${i % 10}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});

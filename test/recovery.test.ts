import { describe, expect, it } from "vitest";
import { issueResetLink } from "../app/models/recovery.server";
import { count, makeUser, TEST_PASSWORD, useFreshDatabase, useTestServer, type Client } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const limited = useTestServer({ RATE_LIMITS: "on" });

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
    expect(again).toContain("Your recovery codes were shown when you signed up");
    const stored = (await t.sql("select code_hash from recovery_codes").pluck().all()) as string[];
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(stored.join(" ")).not.toContain(code.replaceAll("-", ""));
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

  it("cannot be guessed: five wrong codes lock the account's recovery for an hour", async () => {
    const c = limited();
    const codes = await signUpWithCodes(c, "dee");
    for (let i = 0; i < 5; i++) {
      const res = await limited().fork().post("/recover", { username: "dee", code: `zzzz-zzzz-zzz${i + 2}`, password: "a brand new passphrase" });
      expect(res.status, `guess ${i}`).toBe(400);
    }
    const locked = await limited().fork().post("/recover", { username: "dee", code: codes[0], password: "a brand new passphrase" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(3000);
    // Nothing was spent or changed.
    expect(await count(t.db(), "recovery_codes where used_at is not null")).toBe(0);
    expect(await signedInAs(c)).toBe("dee");
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

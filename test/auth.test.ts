import { closeDatabase } from "../db/client";
import { describe, expect, it } from "vitest";
import { allCounts, count, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const client = useTestServer();

async function html(res: Response) {
  return await res.text();
}

describe("sign up", () => {
  it("creates the account, hashes with argon2id and signs in", async () => {
    const c = client();
    const res = await c.signup("Alice");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/welcome");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const row = await t.sql("select username, password_hash, role from users").get() as any;
    expect(row.username).toBe("alice");
    expect(row.role).toBe("member");
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const page = await html(await c.get("/"));
    expect(page).toContain('data-testid="whoami">alice<');
  });

  it("refuses a taken username without regard to case, with a field message", async () => {
    expect((await client().signup("alice")).status).toBe(302);
    const before = (await allCounts(t.db()));
    const res = await client().signup("ALICE");
    expect(res.status).toBe(400);
    const page = await html(res);
    expect(page).toContain("That username is taken.");
    expect(page).toContain('value="alice"');
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("lets the unique index decide between simultaneous sign-ups", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => client().signup("racer")));
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(7);
    expect(await count(t.db(), "users")).toBe(1);
  });

  it.each([
    [{ username: "ab", password: "long enough" }, "username", "at least 3"],
    [{ username: "x".repeat(33), password: "long enough" }, "username", "at most 32"],
    [{ username: "bad name", password: "long enough" }, "username", "Use only letters"],
    [{ username: "good", password: "short" }, "password", "at least 8"],
    [{ username: "good", password: "y".repeat(257) }, "password", "at most 256"],
    [{ username: "", password: "" }, "username", "at least 3"],
  ])("400 for %j with a message on %s, nothing written", async (fields, field, message) => {
    const before = (await allCounts(t.db()));
    const res = await client().post("/signup", fields);
    expect(res.status).toBe(400);
    const page = await html(res);
    expect(page).toContain(`id="f-${field}-error"`);
    expect(page).toContain(message);
    // The password is never echoed back into the form.
    if (fields.password) expect(page).not.toContain(`value="${fields.password}"`);
    expect((await allCounts(t.db()))).toEqual(before);
  });

  it("400 when fields are missing or unknown", async () => {
    expect((await client().post("/signup", {})).status).toBe(400);
    const res = await client().post("/signup", { username: "mallory", password: "long enough", role: "admin" });
    expect(res.status).toBe(400);
    expect(await count(t.db(), "users")).toBe(0);
  });
});

describe("sign in and out", () => {
  it("starts a new session on every sign-in", async () => {
    await client().signup("bob");
    const a = client();
    const b = client();
    expect((await a.login("bob")).status).toBe(302);
    expect((await b.login("BOB")).status).toBe(302);
    expect(a.cookieHeader()).not.toBe(b.cookieHeader());
    expect(await count(t.db(), "sessions")).toBe(3);
  });

  it("gives one generic message for a wrong password or an unknown user", async () => {
    await client().signup("carol");
    const wrongPassword = await client().login("carol", "not the password");
    const unknownUser = await client().login("nobody", "not the password");
    expect(wrongPassword.status).toBe(400);
    expect(unknownUser.status).toBe(400);
    const a = await html(wrongPassword);
    const b = await html(unknownUser);
    expect(a).toContain("Wrong username or password.");
    expect(b).toContain("Wrong username or password.");
    expect(a).toContain('value="carol"');
    expect(a).not.toContain("not the password");
  });

  it("logout ends the session on the server: the old cookie is anonymous", async () => {
    const c = client();
    await c.signup("dave");
    const stolen = c.cookieHeader();
    expect(await html(await c.get("/"))).toContain('data-testid="whoami">dave<');
    const out = await c.post("/logout", {});
    expect(out.status).toBe(302);
    expect(await count(t.db(), "sessions")).toBe(0);
    const replay = await fetch(c.base + "/", { headers: { Cookie: stolen } });
    const page = await replay.text();
    expect(page).not.toContain("whoami");
    expect(page).toContain("Sign in");
  });

  it("logout is POST only", async () => {
    const c = client();
    await c.signup("erin");
    const res = await c.get("/logout");
    expect(res.status).toBe(405);
    expect(await count(t.db(), "sessions")).toBe(1);
  });

  it("redirectTo stays on this site", async () => {
    await client().signup("frank");
    const good = await client().post("/login", { username: "frank", password: "correct horse battery", redirectTo: "/t/llama-2-license" });
    expect(good.headers.get("location")).toBe("/t/llama-2-license");
    for (const evil of ["//evil.example", "https://evil.example", "/\\evil.example"]) {
      const res = await client().post("/login", { username: "frank", password: "correct horse battery", redirectTo: evil });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/");
    }
  });
});

describe("Origin check", () => {
  it.each([null, "https://evil.example", "null"])("403 for a POST with Origin %j, nothing written", async (origin) => {
    const before = (await allCounts(t.db()));
    const res = await client().post("/signup", { username: "zed", password: "long enough" }, { origin });
    expect(res.status).toBe(403);
    expect((await allCounts(t.db()))).toEqual(before);
  });
});

describe("pages", () => {
  it("lists topics with counts and shows the seeded topic and its polls", async () => {
    const c = client();
    const home = await html(await c.get("/"));
    expect(home).toContain('href="/t/llama-2-license"');
    expect(home).toContain("7 questions · 5 clauses · ");
    expect(home).toMatch(/\d+ comments? in all threads/);
    // A newcomer learns what this is and where to start (issue 23, newcomer 16).
    expect(home).toContain('class="lead">Pulse is where a community argues');
    expect(home.replaceAll("<!-- -->", "")).toMatch(/<strong>Start here:<\/strong> read the summary, answer the questions, see what others think\. <a [^>]*href="\/t\/llama-2-license"/);
    const topic = await html(await c.get("/t/llama-2-license"));
    for (const slug of ["license-opinion", "llama-3-prediction", "implications", "statement-misleading", "statement-clause-1v", "future-osi-prediction"]) {
      expect(topic).toContain(`href="/t/llama-2-license/p/${slug}"`);
    }
    const poll = await c.get("/t/llama-2-license/p/license-opinion");
    expect(poll.status).toBe(200);
    expect(await html(poll)).toContain("Undecided");
  });

  it("404s look like the site", async () => {
    for (const path of ["/t/nope", "/t/llama-2-license/p/nope", "/nothing/here"]) {
      const res = await client().get(path);
      expect(res.status).toBe(404);
      const page = await html(res);
      expect(page).toContain("Not found");
      expect(page).toContain('class="site-header"');
    }
  });

  it("healthz answers 200 with the database and 503 without", async () => {
    const c = client();
    expect((await c.get("/healthz")).status).toBe(200);
    await closeDatabase();
    expect((await c.get("/healthz")).status).toBe(503);
  });

  it("settings needs a signed-in user", async () => {
    const res = await client().get("/settings");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fsettings");
  });
});

// Issue 24: one route edge. Every form on the site, sent bad input as a
// script (or a fetcher) would send it, answers with the one FormReply shape:
// a 4xx, `ok: false`, messages per field, what was typed (never a secret),
// and which form it was. Nothing is written.
import { describe, expect, it } from "vitest";
import { allCounts, makeUser, pollId, postAs, useFreshDatabase, useTestServer, type Client } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const T = "/t/llama-2-license";

type Form = { path: string; route: string; who: "anon" | "member" | "admin"; fields: Record<string, string>; status?: number };

async function forms(): Promise<Form[]> {
  const poll = await pollId(t.db(), "license-opinion");
  const comment = await postAs("u_writer", "A comment to act on.");
  return [
    { path: "/signup", route: "routes/signup", who: "anon", fields: { username: "x", password: "short-secret" } },
    { path: "/login", route: "routes/login", who: "anon", fields: { username: "", password: "typed-secret" } },
    { path: "/recover", route: "routes/recover", who: "anon", fields: { username: "someone", code: "secret-code", password: "x" } },
    { path: "/reset/not-a-real-token-at-all", route: "routes/reset.$token", who: "anon", fields: { password: "x" } },
    { path: `${T}/comment`, route: "routes/t.$topic.comment", who: "member", fields: { intent: "post", body: "" } },
    { path: `${T}/p/license-opinion`, route: "routes/t.$topic.p.$poll", who: "member", fields: { intent: "vote", option: "nope" } },
    { path: `/c/${comment}`, route: "routes/c.$id", who: "member", fields: { intent: "bogus" } },
    { path: `${T}?index`, route: "routes/t.$topic._index", who: "member", fields: { intent: "bogus" } },
    { path: "/u/writer", route: "routes/u.$username", who: "member", fields: { intent: "bogus" } },
    { path: "/settings", route: "routes/settings", who: "member", fields: { intent: "password", current: "typed-secret", password: "x" } },
    { path: "/notifications", route: "routes/notifications", who: "member", fields: { intent: "bogus" } },
    { path: "/admin/reports", route: "routes/admin.reports", who: "admin", fields: { intent: "bogus" } },
    { path: "/admin/users", route: "routes/admin.users", who: "admin", fields: { intent: "bogus" } },
    { path: "/admin/rules", route: "routes/admin.rules", who: "admin", fields: { intent: "save", bodyMd: "" } },
    { path: "/admin/topics/new", route: "routes/admin.topics.new", who: "admin", fields: { intent: "save", title: "" } },
    { path: "/admin/topics/llama-2-license", route: "routes/admin.topics.$slug", who: "admin", fields: { intent: "save", title: "" } },
    { path: "/admin/topics/llama-2-license/versions", route: "routes/admin.topics.$slug_.versions", who: "admin", fields: { intent: "version", label: "" } },
    { path: "/admin/polls/new?topic=llama-2-license", route: "routes/admin.polls.new", who: "admin", fields: { intent: "save", question: "" } },
    { path: `/admin/polls/${poll}`, route: "routes/admin.polls.$id", who: "admin", fields: { intent: "save", question: "" } },
  ];
}

/** The action's data as a fetcher gets it (Remix's `_data` request). */
function dataUrl(path: string, route: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(route)}`;
}

describe("the route edge (issue 24)", () => {
  it("every form answers bad input with one shape, keeps what was typed but never a secret, and writes nothing", async () => {
    await makeUser(anon(), "writer");
    const member = (await makeUser(anon(), "member")).client;
    const admin = (await makeUser(anon(), "boss", "admin")).client;
    const clients: Record<Form["who"], Client> = { anon: anon(), member, admin };
    const list = await forms();
    const before = await allCounts(t.db());
    for (const form of list) {
      const res = await clients[form.who].post(dataUrl(form.path, form.route), form.fields);
      expect(res.status, form.path).toBe(400);
      const body = await res.json();
      expect(Object.keys(body).sort(), form.path).toEqual(["errors", "form", "ok", "values"]);
      expect(body.ok, form.path).toBe(false);
      expect(Object.values(body.errors).flat().length, form.path).toBeGreaterThan(0);
      for (const messages of Object.values(body.errors)) for (const m of messages as string[]) expect(typeof m, form.path).toBe("string");
      const text = JSON.stringify(body.values);
      for (const secret of ["short-secret", "typed-secret", "secret-code"]) expect(text, form.path).not.toContain(secret);
      // Plain text fields come back as typed, for the form to be drawn again.
      for (const [k, v] of Object.entries(form.fields)) if (!/password|current|code/.test(k) && k !== "option" && body.values[k] !== undefined) expect(body.values[k], `${form.path} ${k}`).toBe(v);
    }
    expect(await allCounts(t.db())).toEqual(before);
    // And without JavaScript the same refusal draws the page again with its message.
    const page = await anon().post("/login", { username: "", password: "typed-secret" });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('role="alert"');
    expect(html).not.toContain("typed-secret");
  });

  it("a rate limit is a failure like any other: the form's shape, a 429 and Retry-After", async () => {
    const { startTestServer } = await import("./helpers");
    const server = await startTestServer({ RATE_LIMITS: "on" });
    try {
      const { Client } = await import("./helpers");
      const c = new Client(server.url);
      let last: Response | undefined;
      for (let i = 0; i < 101; i++) last = await c.post(dataUrl("/login", "routes/login"), { username: "nobody", password: "wrong-secret" });
      expect(last!.status).toBe(429);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
      const body = await last!.json();
      expect(body).toMatchObject({ ok: false, form: null, values: { username: "nobody" } });
      expect(body.errors._form[0]).toMatch(/^Too many failed sign-ins/);
      expect(JSON.stringify(body)).not.toContain("wrong-secret");
    } finally {
      await server.close();
    }
  });

  it("pages that cannot go on answer through invariantResponse: a plain 404 or 403 with its message", async () => {
    const member = (await makeUser(anon(), "member")).client;
    const cases: [Client, string, number, string][] = [
      [anon(), "/t/no-such-topic/p/nothing", 404, "Poll not found"],
      [anon(), "/c/999999", 404, "Comment not found"],
      [anon(), "/t/no-such-topic/results.json", 404, '{"error":"Topic not found"}'],
      [member, "/admin/users", 403, "You do not have permission to do that."],
    ];
    for (const [client, path, status, text] of cases) {
      const res = await client.get(path);
      expect(res.status, path).toBe(status);
      expect(await res.text(), path).toContain(text);
    }
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, inject } from "vitest";
import { closeDatabase, setDatabase, type DB } from "../db/client";
import { parseConfig } from "../app/config.server";
import { listen, loadBuild } from "../server";

let counter = 0;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-db-"));

/** A fresh copy of the migrated, seeded template database. */
export function freshDatabaseFile(): string {
  const file = path.join(tmpRoot, `t-${process.pid}-${++counter}.db`);
  fs.copyFileSync(inject("templateDb"), file);
  return file;
}

/** Gives every test in the file its own database, opened as the app's connection. */
export function useFreshDatabase(): { db: () => DB; file: () => string } {
  let conn: DB | undefined;
  let file = "";
  beforeEach(() => {
    file = freshDatabaseFile();
    conn = setDatabase(file);
  });
  afterEach(() => {
    closeDatabase();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  });
  return {
    db: () => {
      if (!conn) throw new Error("no database");
      return conn;
    },
    file: () => file,
  };
}

export type TestServer = { url: string; close: () => Promise<void> };

/** The real Express app on 127.0.0.1, on the database useFreshDatabase opened. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  // Limits are off unless a test is about them: suites sign up many people from one address.
  const cfg = parseConfig({ NODE_ENV: "test", LOG_REQUESTS: "false", RATE_LIMITS: "off", ...env });
  const { server, port } = await listen({ ...cfg, PORT: 0, HOST: "127.0.0.1" }, await loadBuild());
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts a server for each test (after useFreshDatabase) and stops it after. */
export function useTestServer(env: Record<string, string> = {}): () => Client {
  let server: TestServer | undefined;
  beforeEach(async () => {
    server = await startTestServer(env);
  });
  afterEach(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error("no server");
    return new Client(server.url);
  };
}

/** A tiny browser-like HTTP client: keeps cookies, sends our Origin on writes. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  fork(): Client {
    return new Client(this.base);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(pathname: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", this.cookieHeader());
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && init.origin !== null) headers.set("Origin", init.origin ?? this.base);
    const res = await fetch(this.base + pathname, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(pathname: string, init: RequestInit = {}) {
    return this.request(pathname, init);
  }

  post(pathname: string, fields: Record<string, string | string[]>, init: RequestInit & { origin?: string | null } = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request(pathname, {
      ...init,
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...(init.headers ?? {}) },
    });
  }

  async signup(username: string, password = "correct horse battery"): Promise<Response> {
    return this.post("/signup", { username, password });
  }

  async login(username: string, password = "correct horse battery"): Promise<Response> {
    return this.post("/login", { username, password });
  }
}

export function count(conn: DB, table: string): number {
  return (conn.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

export function allCounts(conn: DB): Record<string, number> {
  const tables = conn.$client
    .prepare("select name from sqlite_master where type='table' and name not like 'sqlite_%' and name not like '__drizzle%'")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map((t) => [t.name, count(conn, t.name)]));
}

// One real argon2id hash, reused so tests can make many users quickly.
let sharedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery";

/** Inserts a user directly (no HTTP, no per-user hashing) and returns a signed-in client. */
export async function makeUser(
  base: Client,
  username: string,
  role: "member" | "moderator" | "admin" = "member",
): Promise<{ id: string; client: Client }> {
  const { hashPassword } = await import("../app/models/users.server");
  const { startSession } = await import("../app/auth/session.server");
  const { db } = await import("../db/client");
  const { users } = await import("../db/schema/sqlite");
  sharedHash ??= hashPassword(TEST_PASSWORD);
  const id = `u_${username}`;
  db().insert(users).values({ id, username, passwordHash: await sharedHash, role, createdAt: Date.now() }).run();
  const cookie = await startSession(id);
  const client = base.fork();
  const [pair] = cookie.split(";");
  const eq = pair.indexOf("=");
  client.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  return { id, client };
}

export function pollId(conn: DB, slug: string): number {
  return (conn.$client.prepare("select id from polls where slug = ?").get(slug) as { id: number }).id;
}

export function optionIds(conn: DB, slug: string): number[] {
  return (
    conn.$client
      .prepare("select o.id from poll_options o join polls p on p.id = o.poll_id where p.slug = ? order by o.position")
      .all(slug) as { id: number }[]
  ).map((r) => r.id);
}

/** Tallies as stored vs. recounted from the ballots; voters likewise. */
export function recount(conn: DB) {
  const stored = conn.$client.prepare("select option_id as id, count from tallies order by option_id").all();
  const counted = conn.$client
    .prepare(
      `select t.option_id as id, (select count(*) from ballot_choices c where c.option_id = t.option_id) as count
       from tallies t order by t.option_id`,
    )
    .all();
  const votersStored = conn.$client.prepare("select id, voter_count as n from polls order by id").all();
  const votersCounted = conn.$client
    .prepare("select p.id, (select count(*) from ballots b where b.poll_id = p.id) as n from polls p order by p.id")
    .all();
  return { stored, counted, votersStored, votersCounted };
}

export function expectConsistent(conn: DB, expectFn: (a: unknown) => { toEqual: (b: unknown) => void }) {
  const r = recount(conn);
  expectFn(r.stored).toEqual(r.counted);
  expectFn(r.votersStored).toEqual(r.votersCounted);
}

/**
 * Runs a TypeScript entry point in ONE node process (node --import tsx), so a
 * signal reaches the program itself: the tsx CLI would spawn a child that
 * SIGKILL leaves running.
 */
export const NODE_TS: [string, string[]] = [process.execPath, ["--import", "tsx"]];

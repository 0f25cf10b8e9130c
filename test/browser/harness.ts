import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { ENGINE, freshDatabaseFile, freshPgDatabase, NODE_TS } from "../helpers";
import { WAIT_MS } from "../waits";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export type Harness = {
  url: string;
  /** The server's database: a SQLite file, or a postgres:// URL on the PostgreSQL run. */
  dbFile: string;
  browser: Browser;
  /** A fresh browser profile, with JavaScript on or off. */
  context: (opts?: { javaScript?: boolean }) => Promise<BrowserContext>;
};

/** The real server as a child process on its own database (with `env`'s settings besides), and Chromium. */
export function useHarness(env: Record<string, string> = {}): () => Harness {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let harness: Harness | undefined;
  beforeAll(async () => {
    const dbFile = ENGINE === "pg" ? await freshPgDatabase() : freshDatabaseFile();
    const database = ENGINE === "pg" ? { DATABASE_URL: dbFile } : { DATABASE_PATH: dbFile };
    server = spawn(NODE_TS[0], [...NODE_TS[1], "server.ts"], {
      env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", ...database, LOG_REQUESTS: "false", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`server did not start within ${3 * WAIT_MS} ms: ${out}`)), 3 * WAIT_MS);
      server!.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    });
    const b = browser;
    // 127.0.0.1 is a secure context, so the production cookie (__Host-, Secure) works.
    const url = `http://127.0.0.1:${port}`;
    harness = {
      url,
      dbFile,
      browser: b,
      context: async ({ javaScript = true } = {}) => {
        const ctx = await b.newContext({ javaScriptEnabled: javaScript, baseURL: url });
        // Every locator action and navigation waits as long as an expect.poll does.
        ctx.setDefaultTimeout(WAIT_MS);
        ctx.setDefaultNavigationTimeout(WAIT_MS);
        return ctx;
      },
    };
  });
  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const done = new Promise((r) => server!.on("exit", r));
      server.kill("SIGTERM");
      await done;
    }
  });
  return () => {
    if (!harness) throw new Error("harness not started");
    return harness;
  };
}

/** Signs up through the form (optionally coming back to `back`) and waits until signed in. */
export async function signUp(page: Page, name: string, back?: string): Promise<Page> {
  await page.goto(back ? `/signup?redirectTo=${encodeURIComponent(back)}` : "/signup");
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("a long passphrase");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect.poll(() => page.getByTestId("whoami").textContent(), { message: "waited for page.getByTestId(\"whoami\").textContent()" }).toBe(name);
  // Sign-up shows the recovery codes first; Continue goes on to `back`.
  await page.waitForURL(/\/welcome/);
  await page.getByRole("link", { name: "Continue" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/welcome"));
  return page;
}

/** Sets a role with the command-line tool, on the harness's database. */
export function setRoleOf(harness: Harness, name: string, role: string) {
  const env = harness.dbFile.startsWith("postgres") ? { DATABASE_URL: harness.dbFile } : { DATABASE_PATH: harness.dbFile };
  const res = spawnSync(NODE_TS[0], [...NODE_TS[1], "scripts/user-role.ts", name, role], { env: { ...process.env, ...env }, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
}

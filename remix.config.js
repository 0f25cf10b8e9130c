import { createRequire } from "node:module";

// The browser build stands an empty module in for each `.server` module a
// route imports. Remix marks none of them free of side effects, so esbuild
// keeps every one, each in a 100-byte chunk of its own: six extra requests on
// the topic page (issue 23). Marked side-effect free, an unused stand-in is
// dropped. @remix-run/dev is pinned; decision 022 explains the patch, and
// test/build.test.ts fails if it stops working.
const require = createRequire(import.meta.url);
const emptyModules = require("@remix-run/dev/dist/compiler/plugins/emptyModules.js");
if (!emptyModules.emptyModulesPlugin.sideEffectFree) {
  const original = emptyModules.emptyModulesPlugin;
  const patched = (...args) => {
    const plugin = original(...args);
    return {
      ...plugin,
      setup: (build) =>
        plugin.setup({
          ...build,
          onResolve: (options, callback) =>
            build.onResolve(options, async (resolveArgs) => {
              const result = await callback(resolveArgs);
              return result && result.namespace === "empty-module" ? { ...result, sideEffects: false } : result;
            }),
        }),
    };
  };
  patched.sideEffectFree = true;
  emptyModules.emptyModulesPlugin = patched;
}

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverBuildPath: "build/index.js",
  assetsBuildDirectory: "public/build",
  publicPath: "/build/",
  // docs/decisions/001-remix-future-flags.md explains each choice.
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};

// The app as tests run it: the client manifest of the last `remix build`,
// with the entry and every route module imported from source. Tests import
// models from source too, so a test and the server it starts share one copy
// of every module (one connection, one event hub), as a real process holds
// one copy of the build (issue 24). Browser, multi-instance and soak tests
// run the real build in a process of its own.
import fs from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import remixConfig from "../remix.config.js";

const root = path.resolve(__dirname, "..");

function routeFile(id: string): string {
  const base = path.join(root, "app", id);
  for (const ext of [".tsx", ".ts"]) if (fs.existsSync(base + ext)) return base + ext;
  throw new Error(`no source for route ${id}`);
}

/** The manifest the last build wrote (window.__remixManifest = {...}). */
function clientManifest(): ServerBuild["assets"] {
  const version = fs.readFileSync(path.join(root, "build/version.txt"), "utf8").trim();
  const text = fs.readFileSync(path.join(root, `public/build/manifest-${version.toUpperCase()}.js`), "utf8");
  return JSON.parse(text.slice(text.indexOf("=") + 1).replace(/;\s*$/, "")) as ServerBuild["assets"];
}

let built: Promise<ServerBuild> | undefined;

export function sourceBuild(): Promise<ServerBuild> {
  built ??= (async () => {
    const assets = clientManifest();
    const routes: ServerBuild["routes"] = {};
    for (const [id, r] of Object.entries(assets.routes)) {
      const module = await import(/* @vite-ignore */ routeFile(id));
      routes[id] = { id, parentId: r.parentId, path: r.path, index: r.index, caseSensitive: r.caseSensitive, module };
    }
    const entry = { module: await import("../app/entry.server") } as unknown as ServerBuild["entry"];
    return {
      mode: "production",
      entry,
      routes,
      assets,
      publicPath: "/build/",
      assetsBuildDirectory: "public/build",
      future: remixConfig.future,
      isSpaMode: false,
    } as unknown as ServerBuild;
  })();
  return built;
}

// The real Pulse app (server.ts's listen, real build, real database file)
// plus one extra Remix route that does nothing, as the framework's ceiling.
import type { ServerBuild } from "@remix-run/node";
import { listen, loadBuild } from "../../server";
import { apiOf } from "../../server/contract";

const real = await loadBuild();
// The build's own copy of the app opens the database: the one its routes use.
const api = apiOf(real);
const cfg = api.parseConfig({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_PATH: process.env.DATABASE_PATH, NODE_ENV: "production", LOG_REQUESTS: "false", RATE_LIMITS: "off", PORT: "0", OPINION_MAP_INTERVAL_MS: "0" });
api.openDatabase(cfg);
const build: ServerBuild = {
  ...real,
  routes: {
    ...real.routes,
    "routes/__bench-noop": {
      id: "routes/__bench-noop",
      parentId: "root",
      path: "__bench/noop",
      index: undefined,
      caseSensitive: undefined,
      module: { loader: () => new Response("ok", { headers: { "Content-Type": "text/plain" } }) } as never,
    },
  },
};
const { server, port } = await listen(cfg, build);
// The background jobs a running Pulse has: the integrator folds vote deltas and signs checkpoints (the map job is off).
await api.startBackgroundJobs(cfg, process.cwd());
process.stdout.write(`PORT ${port}\n`);
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

// The real Pulse app (server.ts's listen, real build, real database file)
// plus one extra Remix route that does nothing, as the framework's ceiling.
import type { ServerBuild } from "@remix-run/node";
import { parseConfig } from "../../app/config.server";
import { setDatabase } from "../../db/client";
import { listen, loadBuild } from "../../server";

setDatabase(process.env.DATABASE_URL ?? process.env.DATABASE_PATH!);
const real = await loadBuild();
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
const { server, port } = await listen(parseConfig({ NODE_ENV: "production", LOG_REQUESTS: "false", RATE_LIMITS: "off", PORT: "0" }), build);
process.stdout.write(`PORT ${port}\n`);
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

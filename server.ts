// Pulse's process: loads the Remix build once and serves it. Everything the
// process needs from the app (the database, background jobs, streams) comes
// from the build's server entry (app/process.server.ts), so the app exists
// once in memory (issue 24). The middleware lives in server/.
import type http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { apiOf, type Config } from "./server/contract";
import { createApp } from "./server/app";
import { createHttpServer, releaseMemoryWhenQuiet } from "./server/http";

const root = path.dirname(fileURLToPath(import.meta.url));

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(pathToFileURL(path.join(root, "build/index.js")).href)) as ServerBuild;
}

/** Listens, then attaches the app with the port it got (PORT=0 picks one). */
export async function listen(cfg: Config, build: ServerBuild): Promise<{ server: http.Server; port: number }> {
  const server = createHttpServer(cfg);
  await new Promise<void>((resolve) => server.listen(cfg.PORT, cfg.HOST, resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.PORT;
  server.on("request", createApp(build, cfg, port, root));
  releaseMemoryWhenQuiet(server);
  return { server, port };
}

/** Opens and prepares the database, listens, starts the background jobs, and stops cleanly on a signal. */
export async function start(cfg: Config, build: ServerBuild) {
  const api = apiOf(build);
  await api.prepareDatabase(cfg);
  const { server, port } = await listen(cfg, build);
  const stopJobs = await api.startBackgroundJobs(cfg, root);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    stopJobs();
    api.closeAllStreams();
    server.close(() => {
      void api.closeDatabase().finally(() => {
        console.log("stopped");
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    // Long-lived responses (event streams) get a moment, then are cut.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    setTimeout(() => process.exit(1), 8000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Announced only once a signal can stop it cleanly: whoever waits for this line may signal at once.
  console.log(`Pulse listening on http://${cfg.HOST === "127.0.0.1" ? "localhost" : cfg.HOST}:${port}`);
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const build = await loadBuild();
  const settings = apiOf(build).loadConfig();
  if (!settings.ok) {
    console.error(settings.message);
    process.exit(1);
  }
  start(settings.config, build).catch((err) => {
    console.error("Pulse failed to start:", err);
    process.exit(1);
  });
}

import http from "node:http";
import v8 from "node:v8";
import vm from "node:vm";
import type { Config } from "./contract";
import { capConnections } from "./limits";

/**
 * The HTTP server with explicit timeouts (a slow client cannot hold a request
 * open for long) and, unless behind a proxy, a cap on connections per address.
 */
export function createHttpServer(cfg: Config): http.Server {
  const server = http.createServer({
    headersTimeout: Math.min(cfg.HEADERS_TIMEOUT_MS, cfg.REQUEST_TIMEOUT_MS),
    requestTimeout: cfg.REQUEST_TIMEOUT_MS,
    // How often Node looks for requests past those timeouts.
    connectionsCheckingInterval: Math.min(1000, cfg.REQUEST_TIMEOUT_MS),
  });
  server.keepAliveTimeout = cfg.KEEP_ALIVE_TIMEOUT_MS;
  if (!cfg.TRUST_PROXY) capConnections(server, cfg.MAX_CONNECTIONS_PER_ADDRESS);
  return server;
}

/**
 * V8 keeps its heap at its high-water mark until something allocates again,
 * so a server that goes quiet after a burst (2,000 streams, a flood) would
 * hold its peak memory for good. When a busy spell ends, collect a few times: the
 * heap shrinks and its pages go back to the system. Never while busy.
 */
export function releaseMemoryWhenQuiet(server: http.Server, windowMs = 5000) {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  let recent = 0;
  let busy = 0;
  let collections = 0;
  server.on("request", () => {
    recent++;
    busy++;
  });
  const timer = setInterval(() => {
    // A load balancer's health checks are not a busy spell.
    const quiet = recent <= 2;
    recent = 0;
    if (!quiet) return;
    if (busy > 100) {
      busy = 0;
      collections = 3;
    }
    // V8 shrinks its heap step by step, over a few collections.
    if (collections > 0) {
      collections--;
      gc();
    }
  }, windowMs);
  timer.unref();
  server.on("close", () => clearInterval(timer));
}

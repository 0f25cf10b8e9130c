import crypto from "node:crypto";
import http from "node:http";
import { Worker } from "node:worker_threads";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import getRawBody from "raw-body";
import { isAllowedOrigin } from "./app/auth/origin.server";
import { createLimits, RateLimited, take } from "./app/auth/rate-limits.server";
import { authenticate, hasSessionCookie, purgeExpiredSessions } from "./app/auth/session.server";
import { allowedOrigins, config, ConfigError, type Config } from "./app/config.server";
import { sitePath } from "./app/lib/form.server";
import {
  contentSecurityPolicy,
  etagOf,
  isShareable,
  PageCache,
  PRIVATE_CACHE_CONTROL,
  canonicalUrl,
  SHARED_CACHE_CONTROL,
  SHARED_VARY,
  sharedPageOf,
  type SharedPage,
} from "./app/lib/page-cache.server";
import { backfillBallotLogs } from "./app/models/ballot-log.server";
import { upgradeRecoveryDigests } from "./app/models/recovery.server";
import { noteFailure } from "./app/models/health.server";
import { closeAllStreams } from "./app/models/results-stream.server";
import { pageVersion, type PageScope } from "./app/models/data-versions.server";
import { closeDatabase, engine, exclusively, pgPool, setDatabase } from "./db/client";
import { migrateOpenDatabase } from "./db/migrate";
import { seed } from "./db/seed";

const root = path.dirname(fileURLToPath(import.meta.url));
const MAX_BODY_BYTES = 256 * 1024;

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(pathToFileURL(path.join(root, "build/index.js")).href)) as ServerBuild;
}

function securityHeaders(production: boolean) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy([`'nonce-${nonce}'`]));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (production) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}

/**
 * Remix behind Express, as @remix-run/express does it, with two differences
 * (docs/decisions/010): the request URL is built on PUBLIC_ORIGIN, never on
 * the Host header, and the body is the one the size-checked reader buffered.
 */
function remixHandler(build: ServerBuild, mode: string, publicOrigin: string, context: (req: Request, res: Response, clientGone: AbortSignal) => AppLoadContext) {
  const handle = createRequestHandler(build, mode);
  return async (req: Request, res: Response, next: NextFunction) => {
    // Only origin-form targets ("/path?query"): "*" and absolute URLs name nothing here.
    if (!req.originalUrl.startsWith("/")) {
      res.status(400).type("text/plain").send("Bad request target.");
      return;
    }
    try {
      const controller = new AbortController();
      // Loaders and streams learn that the client left: `close` without `finish`.
      res.on("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      // The client may have gone while the session was checked: `close` has fired already.
      if (res.destroyed || req.socket.destroyed) controller.abort();
      const body = res.locals.body as Buffer | undefined;
      const request = new Request(publicOrigin + req.originalUrl, {
        method: req.method,
        headers: requestHeaders(req),
        signal: controller.signal,
        ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
      });
      const response = await handle(request, context(req, res, controller.signal));
      const location = response.headers.get("Location");
      // Belt and braces: whatever a route did, Pulse only redirects within itself.
      if (location !== null && !isLocalLocation(location, publicOrigin)) response.headers.set("Location", "/");
      const shared = res.locals.sharedRender as SharedRender | undefined;
      if (shared) {
        // Drawn without a nonce for everyone: finished in full, kept if it may be, sent with its hash policy.
        const page = await sharedPageOf(response.status, response.headers, Buffer.from(await response.arrayBuffer()));
        const keep = isShareable(response.status, response.headers);
        shared.finish(keep ? page : null);
        sendSharedPage(req, res, page, keep ? shared.etag : null, false);
        return;
      }
      if (res.locals.auth?.session && !response.headers.has("Cache-Control")) response.headers.set("Cache-Control", PRIVATE_CACHE_CONTROL);
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      if (response.headers.get("Content-Type")?.includes("text/event-stream")) res.flushHeaders();
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  };
}

function requestHeaders(req: Request): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    // Pulse's host is PUBLIC_ORIGIN's; a forwarded host would only mislead Remix's own origin check.
    if (key === "x-forwarded-host") continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}

function isLocalLocation(location: string, publicOrigin: string): boolean {
  if (location.startsWith("/")) return sitePath(location) !== null;
  try {
    return new URL(location).origin === publicOrigin;
  } catch {
    return false;
  }
}

type SharedRender = { etag: string; finish: (page: SharedPage | null) => void };

/** Where a public page's content comes from, for the pages anonymous readers may share. */
function pageScope(path: string): PageScope | null {
  if (path === "/") return { site: true };
  const topic = /^\/t\/([a-z0-9-]{2,64})(?:\/|\/p\/[a-z0-9-]{2,64}\/?|\/results(?:\.json|\.csv)?|\/feed\.xml|\/map(?:\.json)?|\/versions)?$/.exec(path);
  if (topic) return { topic: topic[1] };
  const comment = /^\/c\/([1-9][0-9]{0,14})$/.exec(path);
  if (comment) return { comment: Number(comment[1]) };
  return null;
}

// Longer URLs (query strings) are drawn each time rather than fill the cache.
const MAX_SHARED_URL = 300;

/** Sends a shared page: its gzip bytes as they are, or unpacked for a client that does not take gzip. */
function sendSharedPage(req: Request, res: Response, page: SharedPage, etag: string | null, hit: boolean) {
  res.status(page.status);
  res.setHeader("X-Cache", hit ? "HIT" : "MISS");
  for (const [name, value] of page.headers) res.setHeader(name, value);
  res.setHeader("Content-Security-Policy", page.csp);
  res.setHeader("Vary", SHARED_VARY);
  if (etag) {
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", SHARED_CACHE_CONTROL);
  }
  const gzip = req.acceptsEncodings("gzip", "identity") === "gzip";
  const body = gzip ? page.gzip : zlib.gunzipSync(page.gzip);
  if (gzip) res.setHeader("Content-Encoding", "gzip");
  res.setHeader("Content-Length", body.length);
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * If-None-Match against our validator, compared weakly (RFC 9110 13.1.2).
 * A client's `Cache-Control: no-cache` does not stop the 304: it asks caches
 * to check with the origin, and this is the origin answering.
 */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === opaque;
  });
}

/**
 * Anonymous reads of public pages (docs/caching.md): keyed on the build, the
 * page's data version read from the database, the minute (pages say "3
 * minutes ago") and the URL. A validator that matches gets a 304 before
 * anything is drawn; a kept page is sent as stored; otherwise the page is
 * drawn once, without a nonce, for everyone waiting on it.
 */
function sharedPages(cache: PageCache | null, buildVersion: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!cache || (req.method !== "GET" && req.method !== "HEAD") || req.originalUrl.length > MAX_SHARED_URL) return next();
    const scope = pageScope(req.path);
    if (!scope || hasSessionCookie(req.headers.cookie)) return next();
    const canonical = canonicalUrl(req.originalUrl);
    if (canonical !== null) return res.redirect(301, canonical);
    // A reader (or the re-count) asking past every cache gets the page drawn now, kept in place of the old.
    const refresh = /\bno-cache\b/i.test(req.headers["cache-control"] ?? "") || /\bno-cache\b/i.test(req.headers.pragma ?? "");
    const now = Date.now();
    // Downstream runs inside the promise below: hand over once, and never again on its errors.
    let handed = false;
    const onward = () => {
      handed = true;
      next();
    };
    pageVersion(scope, now)
      .then(async (version) => {
        if (version === null) return onward();
        const key = `${buildVersion}|${version}|${Math.floor(now / 60_000)}|${req.originalUrl}`;
        const etag = etagOf(key);
        if (matchesEtag(req.headers["if-none-match"], etag)) {
          res.setHeader("ETag", etag);
          res.setHeader("Cache-Control", SHARED_CACHE_CONTROL);
          res.setHeader("Vary", SHARED_VARY);
          // A 304 updates the headers a browser stored: it must not bring a nonce policy to a hash-policed page.
          res.removeHeader("Content-Security-Policy");
          res.status(304).end();
          return;
        }
        const page = refresh ? undefined : (cache.get(key) ?? (await cache.pending(key)));
        if (page) return sendSharedPage(req, res, page, etag, true);
        if (req.method === "HEAD") return onward();
        const finish = cache.begin(key, req.originalUrl);
        // Whatever happens to this request, waiters are released.
        res.once("close", () => finish(null));
        res.locals.sharedRender = { etag, finish } satisfies SharedRender;
        res.locals.cspNonce = "";
        onward();
      })
      .catch((err: unknown) => {
        if (handed || res.headersSent) {
          console.error(`error id=${res.locals.requestId} after the shared-page check`, err);
          if (!res.writableEnded) res.destroy();
          return;
        }
        // Without a version nothing is shared: the page is drawn as for anyone.
        console.error(`error id=${res.locals.requestId} reading a page version; drawing the page unshared`, err);
        onward();
      });
  };
}

/**
 * Reads a request body into memory, counting bytes as they arrive whatever
 * the transfer encoding, and stops at `limit` with a 413.
 */
function readBody(limit: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const length = req.headers["content-length"];
    getRawBody(req, { limit, length: length && /^\d+$/.test(length) ? Number(length) : undefined }, (err, body) => {
      if (!err) {
        res.locals.body = body;
        return next();
      }
      // The rest of the body is not read: close the connection after answering.
      res.setHeader("Connection", "close");
      const tooLarge = (err as { type?: string }).type === "entity.too.large";
      res.status(tooLarge ? 413 : 400).type("text/plain").send(tooLarge ? "That request is too large." : "The request body could not be read.");
    });
  };
}

export function createApp(build: ServerBuild, cfg: Config = config(), port = cfg.PORT) {
  const app = express();
  const production = cfg.NODE_ENV === "production";
  const { publicOrigin, origins, hosts } = allowedOrigins(cfg, port);
  app.disable("x-powered-by");
  app.set("trust proxy", cfg.TRUST_PROXY);

  app.use((req, res, next) => {
    const id = crypto.randomBytes(8).toString("hex");
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    if (cfg.LOG_REQUESTS) {
      const start = process.hrtime.bigint();
      res.on("finish", () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        console.log(`${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)}ms id=${id}`);
      });
    }
    next();
  });
  app.use(securityHeaders(production));

  // Only our own host names: a forged Host could otherwise reach caches and
  // logs. Load balancers probe /healthz by address, so it answers any Host.
  app.use((req, res, next) => {
    if (req.path === "/healthz" || hosts.has(String(req.headers.host ?? "").toLowerCase())) return next();
    res.status(400).type("text/plain").send("Unknown host.");
  });

  const limits = createLimits(cfg.RATE_LIMITS === "on", engine() === "pg" ? pgPool() : undefined);
  // Behind a proxy Express derives req.ip from X-Forwarded-For; otherwise the
  // socket decides, so a client rotating that header gains nothing.
  const clientIp = (req: Request) => (cfg.TRUST_PROXY ? req.ip : req.socket.remoteAddress) ?? "unknown";
  const tooMany = (res: Response, err: RateLimited) => {
    res.setHeader("Retry-After", String(err.retryAfter));
    res.status(429).type("text/plain").send(err.message);
  };
  app.use((req, res, next) => {
    // The fingerprinted build files are cached for a year; a first visit fetches a dozen.
    if (req.path.startsWith("/build/")) return next();
    take(limits, limits.perAddress, clientIp(req), "requests")
      .then(() => next())
      .catch((err) => (err instanceof RateLimited ? tooMany(res, err) : next(err)));
  });
  const cacheBytes = Math.floor(cfg.PAGE_CACHE_MB * 1024 * 1024);
  app.use(sharedPages(cacheBytes > 0 ? new PageCache(cacheBytes) : null, build.assets.version));
  // Event streams must not be buffered by compression.
  app.use(
    compression({
      filter: (req, res) => !String(res.getHeader("Content-Type") ?? "").includes("text/event-stream") && compression.filter(req, res),
    }),
  );

  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h", index: false }));

  // CSRF: every state-changing request must carry our own Origin (scheme, host and port).
  app.use((req, res, next) => {
    if (isAllowedOrigin(req.method, req.headers.origin, req.headers.host, origins)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from this site.");
  });

  // Forms are small: no body beyond this is read, whatever its framing.
  app.use(readBody(MAX_BODY_BYTES));

  const handler = remixHandler(build, production ? "production" : "development", publicOrigin, (req, res, clientGone) => ({
    auth: res.locals.auth,
    cspNonce: res.locals.cspNonce,
    requestId: res.locals.requestId,
    clientIp: clientIp(req),
    limits,
    settings: cfg,
    clientGone,
    isGet: req.method === "GET",
  }));

  app.all("*", (req, res, next) => {
    authenticate(req.headers.cookie)
      .then(async (auth) => {
        res.locals.auth = auth;
        if (auth.setCookie) res.append("Set-Cookie", auth.setCookie);
        if (req.method !== "GET" && req.method !== "HEAD" && auth.user) {
          await take(limits, limits.perUserWrite, auth.user.id, "changes");
        }
        return handler(req, res, next);
      })
      .catch((err) => (err instanceof RateLimited ? tooMany(res, err) : next(err)));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    noteFailure(err);
    if (res.headersSent) return res.end();
    // Errors Express raises about the request itself (a malformed %-escape, say) are the client's.
    const status = (err as { status?: unknown })?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return res.status(status).type("text/plain").send("Bad request.");
    }
    console.error(`error id=${res.locals.requestId}`, err);
    res.status(500).type("text/plain").send(`Something went wrong. Request id: ${res.locals.requestId}`);
  });
  return app;
}

/**
 * Opens the configured database (PostgreSQL if DATABASE_URL is set, else the
 * SQLite file), migrates it and, unless SEED=false, seeds it. On PostgreSQL
 * the whole step runs under an advisory lock: instances starting together
 * migrate and seed once.
 */
export async function prepareDatabase(cfg: Config) {
  setDatabase(cfg.DATABASE_URL ?? cfg.DATABASE_PATH, { poolSize: cfg.DATABASE_POOL_SIZE });
  await migrateOpenDatabase(async () => {
    // Ballots cast before the public log existed get their log from history, once.
    await backfillBallotLogs();
    // Recovery codes stored as bare digests are bound to their person, once.
    await upgradeRecoveryDigests();
    if (cfg.SEED) await seed();
  });
}

/** The hourly purge has one owner at a time: with several instances, whichever holds the lock. */
const PURGE_LOCK = 7_011_2025;
const purgeSessions = () => exclusively(PURGE_LOCK, purgeExpiredSessions);

/**
 * The HTTP server with explicit timeouts (a slow client cannot hold a request
 * open for long) and, unless behind a proxy, a cap on connections per address.
 * The app is attached once it listens, when the port is known.
 */
export function createHttpServer(cfg: Config): http.Server {
  const server = http.createServer({
    headersTimeout: Math.min(cfg.HEADERS_TIMEOUT_MS, cfg.REQUEST_TIMEOUT_MS),
    requestTimeout: cfg.REQUEST_TIMEOUT_MS,
    // How often Node looks for requests past those timeouts.
    connectionsCheckingInterval: Math.min(1000, cfg.REQUEST_TIMEOUT_MS),
  });
  server.keepAliveTimeout = cfg.KEEP_ALIVE_TIMEOUT_MS;
  if (!cfg.TRUST_PROXY) {
    const open = new Map<string, number>();
    const cap = cfg.MAX_CONNECTIONS_PER_ADDRESS;
    server.prependListener("connection", (socket) => {
      const ip = socket.remoteAddress ?? "";
      const n = (open.get(ip) ?? 0) + 1;
      if (n > cap) {
        const body = "Too many connections from your address.\n";
        socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      open.set(ip, n);
      socket.once("close", () => {
        const left = (open.get(ip) ?? 1) - 1;
        if (left > 0) open.set(ip, left);
        else open.delete(ip);
      });
    });
  }
  return server;
}

/**
 * V8 keeps its heap at its high-water mark until something allocates again,
 * so a server that goes quiet after a burst (2,000 streams, a flood) would
 * hold its peak memory for good. When a busy spell ends, collect a few times: the
 * heap shrinks and its pages go back to the system. Never while busy.
 */
function releaseMemoryWhenQuiet(server: http.Server, windowMs = 5000) {
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

/** Listens, then attaches the app with the port it got (PORT=0 picks one). */
export async function listen(cfg: Config, build: ServerBuild): Promise<{ server: http.Server; port: number }> {
  const server = createHttpServer(cfg);
  await new Promise<void>((resolve) => server.listen(cfg.PORT, cfg.HOST, resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.PORT;
  server.on("request", createApp(build, cfg, port));
  releaseMemoryWhenQuiet(server);
  return { server, port };
}

export async function start(cfg: Config) {
  await prepareDatabase(cfg);
  const { server, port } = await listen(cfg, await loadBuild());
  await purgeSessions();
  const purge = setInterval(() => void purgeSessions().catch((err) => console.error("session purge failed", err)), 3600_000);
  purge.unref();
  // Opinion maps are computed in a worker thread with its own connection,
  // never on a request's path nor on this event loop; one run at a time.
  let mapping: Worker | null = null;
  const mapMaps = () => {
    if (mapping) return;
    const worker = new Worker(new URL("./scripts/opinion-map-worker.mjs", import.meta.url), { workerData: { target: cfg.DATABASE_URL ?? cfg.DATABASE_PATH } });
    mapping = worker;
    worker.on("error", (err) => console.error("opinion map job failed", err));
    worker.on("exit", () => (mapping = null));
  };
  const maps = cfg.OPINION_MAP_INTERVAL_MS > 0 ? setInterval(mapMaps, cfg.OPINION_MAP_INTERVAL_MS) : undefined;
  maps?.unref();
  if (maps) mapMaps();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    clearInterval(purge);
    clearInterval(maps);
    void mapping?.terminate();
    closeAllStreams();
    server.close(() => {
      void closeDatabase().finally(() => {
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
  let cfg: Config;
  try {
    cfg = config();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  start(cfg).catch((err) => {
    console.error("Pulse failed to start:", err);
    process.exit(1);
  });
}

import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import getRawBody from "raw-body";
import { isAllowedOrigin } from "./app/auth/origin.server";
import { createLimits, RateLimited, take } from "./app/auth/rate-limits.server";
import { authenticate, purgeExpiredSessions } from "./app/auth/session.server";
import { allowedOrigins, config, ConfigError, type Config } from "./app/config.server";
import { sitePath } from "./app/lib/form.server";
import { noteFailure } from "./app/models/health.server";
import { closeAllStreams } from "./app/models/results-stream.server";
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
    res.setHeader(
      "Content-Security-Policy",
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
    );
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
    take(limits, limits.perAddress, clientIp(req), "requests")
      .then(() => next())
      .catch((err) => (err instanceof RateLimited ? tooMany(res, err) : next(err)));
  });
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
  console.log(`Pulse listening on http://${cfg.HOST === "127.0.0.1" ? "localhost" : cfg.HOST}:${port}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    clearInterval(purge);
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

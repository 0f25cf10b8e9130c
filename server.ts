import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { isSameOrigin } from "./app/auth/lucia.server";
import { createLimits, RateLimited, take } from "./app/auth/rate-limits.server";
import { authenticate, purgeExpiredSessions } from "./app/auth/session.server";
import { config, ConfigError, type Config } from "./app/config.server";
import { closeAllStreams } from "./app/models/results-stream.server";
import { closeDatabase, setDatabase } from "./db/client";
import { runMigrations } from "./db/migrate";
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

export function createApp(build: ServerBuild, cfg: Config = config()) {
  const app = express();
  const production = cfg.NODE_ENV === "production";
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

  const limits = createLimits(cfg.RATE_LIMITS === "on");
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

  // Forms are small; refuse big bodies before anything reads them.
  app.use((req, res, next) => {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
      res.status(413).type("text/plain").send("That request is too large.");
      return;
    }
    next();
  });

  // CSRF: every state-changing request must carry our own Origin.
  app.use((req, res, next) => {
    if (isSameOrigin(req.method, req.headers.origin, req.headers.host)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from this site.");
  });

  const handler = createRequestHandler({
    build,
    mode: production ? "production" : "development",
    getLoadContext: (req, res) => ({
      auth: res.locals.auth,
      cspNonce: res.locals.cspNonce,
      requestId: res.locals.requestId,
      clientIp: clientIp(req),
      limits,
    }),
  });

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

/** Opens, migrates and (unless SEED=false) seeds the configured database. */
export async function prepareDatabase(cfg: Config) {
  const conn = setDatabase(cfg.DATABASE_PATH);
  runMigrations(conn);
  if (cfg.SEED) await seed();
  return conn;
}

export async function start(cfg: Config) {
  await prepareDatabase(cfg);
  const app = createApp(await loadBuild(), cfg);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(cfg.PORT, cfg.HOST, resolve));
  await purgeExpiredSessions();
  const purge = setInterval(() => void purgeExpiredSessions().catch((err) => console.error("session purge failed", err)), 3600_000);
  purge.unref();
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.PORT;
  console.log(`Pulse listening on http://${cfg.HOST === "127.0.0.1" ? "localhost" : cfg.HOST}:${port}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    clearInterval(purge);
    closeAllStreams();
    server.close(() => {
      closeDatabase();
      console.log("stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
    // Long-lived responses (event streams) get a moment, then are cut.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    setTimeout(() => {
      closeDatabase();
      process.exit(1);
    }, 8000).unref();
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

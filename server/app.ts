import path from "node:path";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { apiOf, type Auth, type Config } from "./contract";
import { knownHosts, requestIds, securityHeaders } from "./headers";
import { perAddress, readBody, tooMany } from "./limits";
import { PageCache } from "./page-cache";
import { remixHandler } from "./remix-handler";
import { sharedPages, type DrawPart } from "./shared-pages";

const MAX_BODY_BYTES = 256 * 1024;

/** The Express app in front of the Remix build, its middleware in the order a request meets them. */
export function createApp(build: ServerBuild, cfg: Config, port: number, root: string) {
  const api = apiOf(build);
  const app = express();
  const production = cfg.NODE_ENV === "production";
  const { publicOrigin, origins, hosts } = api.allowedOrigins(cfg, port);
  app.disable("x-powered-by");
  app.set("trust proxy", cfg.TRUST_PROXY);

  app.use(requestIds(cfg.LOG_REQUESTS));
  app.use(securityHeaders(production, cfg.EMBED_ORIGINS));
  app.use(knownHosts(hosts));

  const limits = api.limitsFor(cfg);
  // Behind a proxy Express derives req.ip from X-Forwarded-For; otherwise the
  // socket decides, so a client rotating that header gains nothing.
  const clientIp = (req: Request) => (cfg.TRUST_PROXY ? req.ip : req.socket.remoteAddress) ?? "unknown";
  app.use(perAddress(api, limits, clientIp));
  const cacheBytes = Math.floor(cfg.PAGE_CACHE_MB * 1024 * 1024);
  const loadContext = (req: Request, res: Response, clientGone: AbortSignal): AppLoadContext => ({
    auth: res.locals.auth,
    cspNonce: res.locals.cspNonce,
    requestId: res.locals.requestId,
    clientIp: clientIp(req),
    limits,
    settings: cfg,
    clientGone,
    isGet: req.method === "GET",
    slots: (res.locals.slots as Map<string, unknown> | undefined) ?? null,
  });
  // A reader's part of a kept page: the app runs the page's per-reader loaders as for this request, and draws the slots.
  // Its loaders return data, never a stream: no signal of its own to abort.
  const neverAborted = new AbortController().signal;
  const draw: DrawPart = (req, res, recorded) => api.drawPersonal(recorded, { ...loadContext(req, res, neverAborted), cspNonce: "", slots: null }, publicOrigin + req.originalUrl);
  app.use(sharedPages(api, cacheBytes > 0 ? new PageCache(cacheBytes) : null, build.assets.version, draw));
  // Event streams must not be buffered by compression.
  app.use(
    compression({
      filter: (req, res) => !String(res.getHeader("Content-Type") ?? "").includes("text/event-stream") && compression.filter(req, res),
    }),
  );

  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  // Files in public/ all have an extension: a page's path is not looked up on disk first (a stat on every request).
  const publicFiles = express.static(path.join(root, "public"), { maxAge: "1h", index: false });
  app.use((req, res, next) => (/\.[a-z0-9]+$/i.test(req.path) ? publicFiles(req, res, next) : next()));

  // CSRF: every state-changing request must carry our own Origin (scheme, host and port).
  app.use((req, res, next) => {
    if (api.isAllowedOrigin(req.method, req.headers.origin, req.headers.host, origins)) return next();
    res.status(403).type("text/plain").send("Forbidden: this request did not come from this site.");
  });

  // Forms are small: no body beyond this is read, whatever its framing.
  app.use(readBody(MAX_BODY_BYTES));

  const handler = remixHandler(api, build, production ? "production" : "development", publicOrigin, loadContext, draw);

  app.all("*", (req, res, next) => {
    // A joined page's check (server/shared-pages.ts) may have read the session already.
    const known = res.locals.auth as Auth | undefined;
    (known ? Promise.resolve(known) : api.authenticate(req.headers.cookie))
      .then(async (auth) => {
        if (!known) {
          res.locals.auth = auth;
          if (auth.setCookie) res.append("Set-Cookie", auth.setCookie);
        }
        // A guest's browser is held to a member's pace of changes (issue 27).
        const writer = auth.user?.id ?? auth.guest;
        if (req.method !== "GET" && req.method !== "HEAD" && writer) {
          const refusal = await api.admit(limits, "perUserWrite", writer, "changes");
          if (refusal) return tooMany(res, refusal);
        }
        return handler(req, res, next);
      })
      .catch(next);
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    api.noteFailure(err);
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

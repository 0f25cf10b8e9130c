import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { contentSecurityPolicy } from "./csp";

/** Gives each request an id (in X-Request-Id and the logs) and, if asked, logs it when it ends. */
export function requestIds(log: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = crypto.randomBytes(8).toString("hex");
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    if (log) {
      const start = process.hrtime.bigint();
      res.on("finish", () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        console.log(`${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)}ms id=${id}`);
      });
    }
    next();
  };
}

/** Pages other sites may frame (issue 27): only these, and only by the sites EMBED_ORIGINS names. */
const isEmbedPath = (path: string) => path.startsWith("/embed/");

/** A fresh nonce and its policy for every response, and the headers every page carries. */
export function securityHeaders(production: boolean, embedOrigins: readonly string[] = []) {
  return (req: Request, res: Response, next: NextFunction) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    const framed = embedOrigins.length > 0 && isEmbedPath(req.path);
    res.setHeader("Content-Security-Policy", contentSecurityPolicy([`'nonce-${nonce}'`], framed ? embedOrigins : []));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    // X-Frame-Options knows no list of sites: an embed page leaves it to frame-ancestors.
    if (!framed) res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (production) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}

/**
 * Only our own host names: a forged Host could otherwise reach caches and
 * logs. Load balancers probe /healthz by address, so it answers any Host.
 */
export function knownHosts(hosts: ReadonlySet<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path === "/healthz" || hosts.has(String(req.headers.host ?? "").toLowerCase())) return next();
    res.status(400).type("text/plain").send("Unknown host.");
  };
}

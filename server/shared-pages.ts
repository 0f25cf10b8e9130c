import zlib from "node:zlib";
import type { NextFunction, Request, Response } from "express";
import type { Auth, PageScope, PersonalPart, ProcessApi } from "./contract";
import { joinPage } from "./overlay";
import { etagOf, PageCache, PRIVATE_CACHE_CONTROL, SHARED_CACHE_CONTROL, SHARED_VARY, type SharedPage } from "./page-cache";

/**
 * How a drawn page is handed back to the cache: kept, or not kept (null).
 * `reader`: the page is drawn for everyone on a signed-in reader's request,
 * who then gets it joined with their part (issue 26).
 */
export type SharedRender = { etag: string; finish: (page: SharedPage | null) => void; reader?: Reader };
/** A signed-in reader's session, as the app read it, and the data version the page was kept at. */
type Reader = { auth: Auth & { user: NonNullable<Auth["user"]> }; scope: PageScope; version: string; now: number };

/** Draws the reader's part of a kept page (the reader's session is `res.locals.auth`), or null when their page cannot be joined. */
export type DrawPart = (req: Request, res: Response, recorded: Map<string, unknown>) => Promise<PersonalPart | null>;

/** Pages whose reader parts are slots (issue 26): a signed-in reader gets the kept page joined with theirs. */
const JOINED = /^(?:\/t\/[a-z0-9-]{2,64}(?:\/results|\/p\/[a-z0-9-]{2,64})?|\/c\/[1-9][0-9]{0,14})$/;

/**
 * Query parameters that some shared page reads: thread views (`sort`,
 * `page`, `stance`), the landing flags after a form post (`voted`,
 * `withdrawn`, `posted`, `reported`, `deleted`), edit history, the results'
 * cross-tab (`a`, `b`), members or guests (`who`), the site framing an embed (`host`) and Remix's own data requests (`_data`, `index`).
 */
const PAGE_PARAMS = new Set(["sort", "page", "stance", "voted", "withdrawn", "posted", "reported", "history", "deleted", "a", "b", "who", "host", "_data", "index"]);

/**
 * The URL without the query parameters no page reads, or null when it has
 * none: an anonymous reader sent `/?junk=1` goes to `/`, so junk cannot make
 * a page of its own (issue 23).
 */
function canonicalUrl(originalUrl: string): string | null {
  const q = originalUrl.indexOf("?");
  if (q < 0) return null;
  const params = new URLSearchParams(originalUrl.slice(q + 1));
  const names = [...params.keys()];
  if (names.length > 0 && names.every((n) => PAGE_PARAMS.has(n))) return null;
  for (const n of names) if (!PAGE_PARAMS.has(n)) params.delete(n);
  const rest = params.toString();
  return originalUrl.slice(0, q) + (rest ? `?${rest}` : "");
}

/** Where a public page's content comes from, for the pages anonymous readers may share. */
function pageScope(path: string): PageScope | null {
  if (path === "/") return { site: true };
  const topic = /^\/t\/([a-z0-9-]{2,64})(?:\/|\/p\/[a-z0-9-]{2,64}\/?|\/results(?:\.json|\.csv)?|\/feed\.xml|\/map(?:\.json)?|\/statements(?:\.json)?|\/versions)?$/.exec(path);
  if (topic) return { topic: topic[1] };
  // A poll or a topic's results on another site's page (issue 27): a blog's readers are anonymous readers.
  const embed = /^\/embed\/t\/([a-z0-9-]{2,64})\/(?:p\/[a-z0-9-]{2,64}|results)$/.exec(path);
  if (embed) return { topic: embed[1] };
  const comment = /^\/c\/([1-9][0-9]{0,14})$/.exec(path);
  if (comment) return { comment: Number(comment[1]) };
  return null;
}

// Longer URLs (query strings) are drawn each time rather than fill the cache.
const MAX_SHARED_URL = 300;

/** Sends a shared page: its gzip bytes as they are, or unpacked for a client that does not take gzip. */
export function sendSharedPage(req: Request, res: Response, page: SharedPage, etag: string | null, hit: boolean) {
  res.setHeader("X-Cache", hit ? "HIT" : "MISS");
  if (etag) {
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", SHARED_CACHE_CONTROL);
  }
  const gzip = takesGzip(req);
  sendPage(req, res, page, page.csp, SHARED_VARY, gzip ? page.gzip : zlib.gunzipSync(page.gzip), gzip);
}

const takesGzip = (req: Request) => req.acceptsEncodings("gzip", "identity") === "gzip";

/** A kept page's status and headers, then its bytes under the given policy. */
function sendPage(req: Request, res: Response, page: SharedPage, csp: string, vary: string, body: Buffer, gzipped: boolean) {
  res.status(page.status);
  for (const [name, value] of page.headers) res.setHeader(name, value);
  // Who may frame the page was decided for this path (server/headers.ts: only embeds, only EMBED_ORIGINS); the kept policy keeps that.
  const framing = /frame-ancestors [^;]+/.exec(String(res.getHeader("Content-Security-Policy") ?? ""))?.[0];
  res.setHeader("Content-Security-Policy", framing ? csp.replace(/frame-ancestors [^;]+/, framing) : csp);
  res.setHeader("Vary", vary);
  if (gzipped) res.setHeader("Content-Encoding", "gzip");
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

function notModified(res: Response, etag: string) {
  res.setHeader("ETag", etag);
  res.setHeader("Cache-Control", SHARED_CACHE_CONTROL);
  res.setHeader("Vary", SHARED_VARY);
  // A 304 updates the headers a browser stored: it must not bring a nonce policy to a hash-policed page.
  res.removeHeader("Content-Security-Policy");
  res.status(304).end();
}

/**
 * Anonymous reads of public pages (docs/caching.md): keyed on the build, the
 * page's data version read from the database, the minute (pages say "3
 * minutes ago") and the URL. A validator that matches gets a 304 before
 * anything is drawn; a kept page is sent as stored; otherwise the page is
 * drawn once, without a nonce, for everyone waiting on it.
 */
export function sharedPages(api: ProcessApi, cache: PageCache | null, buildVersion: string, draw: DrawPart) {
  /**
   * A signed-in reader of a joined page: the kept page (drawn now for
   * everyone if missing) with their slots and route data put in. Anything
   * that cannot be joined is drawn for them in full, as before.
   */
  const personal = (req: Request, res: Response, next: NextFunction, scope: PageScope) => {
    const now = Date.now();
    (async () => {
      const auth = await api.authenticate(req.headers.cookie);
      res.locals.auth = auth;
      if (auth.setCookie) res.append("Set-Cookie", auth.setCookie);
      if (!auth.user || !cache || canonicalUrl(req.originalUrl) !== null) return next();
      const version = await api.pageVersion(scope, now);
      if (version === null) return next();
      const key = `${buildVersion}|${version}|${Math.floor(now / 60_000)}|${req.originalUrl}`;
      const page = cache.get(key) ?? (await cache.pending(key));
      const reader: Reader = { auth: { ...auth, user: auth.user }, scope, version, now };
      if (page) return (await sendJoined(api, draw, req, res, page, reader)) || next();
      // A HEAD's drawing has no body to keep: drawn for the reader.
      if (req.method === "HEAD") return next();
      // Not kept yet: drawn now as for anyone, kept, then joined (server/remix-handler.ts).
      const finish = cache.begin(key, req.originalUrl);
      res.once("close", () => finish(null));
      res.locals.sharedRender = { etag: etagOf(key), finish, reader } satisfies SharedRender;
      res.locals.auth = await api.authenticate(undefined);
      res.locals.slots = new Map();
      res.locals.readerNonce = res.locals.cspNonce;
      res.locals.cspNonce = "";
      next();
    })().catch(next);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (!cache || (req.method !== "GET" && req.method !== "HEAD") || req.originalUrl.length > MAX_SHARED_URL) return next();
    const scope = pageScope(req.path);
    if (!scope) return next();
    const joined = JOINED.test(req.path) && !("_data" in req.query);
    if (api.hasPersonalCookie(req.headers.cookie)) return joined ? personal(req, res, next, scope) : next();
    const canonical = canonicalUrl(req.originalUrl);
    if (canonical !== null) return res.redirect(301, canonical);
    if (joined) res.locals.slots = new Map();
    // A reader (or the re-count) asking past every cache gets the page drawn now, kept in place of the old.
    const refresh = /\bno-cache\b/i.test(req.headers["cache-control"] ?? "") || /\bno-cache\b/i.test(req.headers.pragma ?? "");
    const now = Date.now();
    // Downstream runs inside the promise below: hand over once, and never again on its errors.
    let handed = false;
    const onward = () => {
      handed = true;
      next();
    };
    api
      .pageVersion(scope, now)
      .then(async (version) => {
        if (version === null) return onward();
        const key = `${buildVersion}|${version}|${Math.floor(now / 60_000)}|${req.originalUrl}`;
        const etag = etagOf(key);
        if (matchesEtag(req.headers["if-none-match"], etag)) return notModified(res, etag);
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
 * Sends a kept page joined with a reader's part: private, under the hash
 * policy of its own scripts (no nonce to share). False, with nothing sent,
 * when the page cannot be joined for this reader: they get a full render.
 */
export async function sendJoined(api: ProcessApi, draw: DrawPart, req: Request, res: Response, page: SharedPage, reader: Reader): Promise<boolean> {
  if (!page.overlay) return false;
  res.locals.auth = reader.auth;
  const part = await draw(req, res, page.overlay.recorded);
  if (!part) return false;
  // Route data the page shows around the slots must be of the version the page was kept at: a write in between is drawn in full.
  if (part.showsOutside && (await api.pageVersion(reader.scope, reader.now)) !== reader.version) return false;
  const gzip = takesGzip(req);
  const { body, csp } = joinPage(page.overlay, part, gzip);
  res.setHeader("Cache-Control", PRIVATE_CACHE_CONTROL);
  sendPage(req, res, page, csp, SHARED_VARY, body, gzip);
  return true;
}

import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import zlib from "node:zlib";
import type { NextFunction, Request, Response } from "express";
import type { ProcessApi } from "./contract";
import { isShareable, PRIVATE_CACHE_CONTROL, sharedPageOf } from "./page-cache";
import { overlayOf } from "./overlay";
import { sendJoined, sendSharedPage, type DrawPart, type SharedRender } from "./shared-pages";

/**
 * Remix behind Express, as @remix-run/express does it, with two differences
 * (docs/decisions/010): the request URL is built on PUBLIC_ORIGIN, never on
 * the Host header, and the body is the one the size-checked reader buffered.
 */
export function remixHandler(
  api: ProcessApi,
  build: ServerBuild,
  mode: string,
  publicOrigin: string,
  context: (req: Request, res: Response, clientGone: AbortSignal) => AppLoadContext,
  draw: DrawPart,
) {
  const handle = createRequestHandler(build, mode);
  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // Only origin-form targets ("/path?query"): "*" and absolute URLs name nothing here.
    if (!req.originalUrl.startsWith("/")) {
      res.status(400).type("text/plain").send("Bad request target.");
      return;
    }
    const controller = new AbortController();
    try {
      // Loaders and streams learn that the client left: `close` without `finish`.
      res.on("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      // The client may have gone while the session was checked: `close` has fired already.
      if (res.destroyed || req.socket.destroyed) controller.abort();
      const body = res.locals.body as Buffer | undefined;
      const request = new Request(publicOrigin + req.originalUrl, {
        method: req.method,
        // A page drawn for everyone is drawn without anyone's cookies.
        headers: requestHeaders(req, !!res.locals.sharedRender),
        signal: controller.signal,
        ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
      });
      const response = await handle(request, context(req, res, controller.signal));
      const location = response.headers.get("Location");
      // Belt and braces: whatever a route did, Pulse only redirects within itself.
      if (location !== null && !isLocalLocation(api, location, publicOrigin)) response.headers.set("Location", "/");
      const shared = res.locals.sharedRender as SharedRender | undefined;
      if (shared) {
        // Drawn without a nonce for everyone: finished in full, kept if it may be, sent with its hash policy.
        const body = Buffer.from(await response.arrayBuffer());
        const page = await sharedPageOf(response.status, response.headers, body);
        const keep = isShareable(response.status, response.headers);
        const recorded = res.locals.slots as Map<string, unknown> | undefined;
        if (keep && recorded) page.overlay = overlayOf(body.toString("utf8"), recorded, api.keptData(recorded)) ?? undefined;
        shared.finish(keep ? page : null);
        if (!shared.reader) return sendSharedPage(req, res, page, keep ? shared.etag : null, false);
        res.locals.sharedRender = undefined;
        res.locals.slots = undefined;
        if (await sendJoined(api, draw, req, res, page, shared.reader)) return;
        // Drawn for everyone on a reader's request, but not joinable for them: drawn again, for them.
        res.locals.auth = shared.reader.auth;
        res.locals.cspNonce = res.locals.readerNonce;
        return handler(req, res, next);
      }
      if ((res.locals.auth?.session || res.locals.auth?.guest) && !response.headers.has("Cache-Control")) response.headers.set("Cache-Control", PRIVATE_CACHE_CONTROL);
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      const type = response.headers.get("Content-Type") ?? "";
      if (type.includes("text/event-stream")) {
        res.flushHeaders();
        if (response.body) await writeReadableStreamToWritable(response.body, res);
        else res.end();
        return;
      }
      // Nothing Pulse draws streams (no defer, no Suspense): the body is taken whole and compressed in one
      // synchronous pass, which costs a tenth of React's many small chunks through a compression stream.
      sendWhole(req, res, response.body ? Buffer.from(await response.arrayBuffer()) : null);
    } catch (error) {
      // A client that left mid-render takes its response with it; that is no failure of Pulse's.
      if (controller.signal.aborted) return void (res.writableEnded || res.destroy());
      next(error);
    }
  };
  return handler;
}

function requestHeaders(req: Request, anonymous: boolean): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (anonymous && key === "cookie") continue;
    // Pulse's host is PUBLIC_ORIGIN's; a forwarded host would only mislead Remix's own origin check.
    if (key === "x-forwarded-host") continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}

function isLocalLocation(api: ProcessApi, location: string, publicOrigin: string): boolean {
  if (location.startsWith("/")) return api.sitePath(location) !== null;
  try {
    return new URL(location).origin === publicOrigin;
  } catch {
    return false;
  }
}

const COMPRESSIBLE = /^(text\/|application\/(json|xml|rss\+xml|javascript))/;
const MIN_COMPRESSED = 1024;

/** A finished body, gzipped when the client takes it and it is worth it (the compression middleware then leaves it). */
function sendWhole(req: Request, res: Response, body: Buffer | null) {
  if (!body || req.method === "HEAD") return void res.end();
  if (body.length >= MIN_COMPRESSED && COMPRESSIBLE.test(String(res.getHeader("Content-Type") ?? "")) && !res.getHeader("Content-Encoding")) {
    res.vary("Accept-Encoding");
    if (req.acceptsEncodings("gzip", "identity") === "gzip") {
      res.setHeader("Content-Encoding", "gzip");
      body = zlib.gzipSync(body);
    }
  }
  res.setHeader("Content-Length", body.length);
  res.end(body);
}

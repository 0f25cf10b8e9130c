import type http from "node:http";
import type { NextFunction, Request, Response } from "express";
import getRawBody from "raw-body";
import type { ProcessApi } from "./contract";

type Limits = ReturnType<ProcessApi["limitsFor"]>;
type Refusal = { retryAfter: number; message: string };

export function tooMany(res: Response, refusal: Refusal) {
  res.setHeader("Retry-After", String(refusal.retryAfter));
  res.status(429).type("text/plain").send(refusal.message);
}

/** Every request but the build's files takes a point from its address's budget. */
export function perAddress(api: ProcessApi, limits: Limits, clientIp: (req: Request) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    // The fingerprinted build files are cached for a year; a first visit fetches a dozen.
    if (req.path.startsWith("/build/")) return next();
    api
      .admit(limits, "perAddress", clientIp(req), "requests")
      .then((refusal) => (refusal ? tooMany(res, refusal) : next()))
      .catch(next);
  };
}

/**
 * Reads a request body into memory, counting bytes as they arrive whatever
 * the transfer encoding, and stops at `limit` with a 413.
 */
export function readBody(limit: number) {
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

/** Caps the connections one address holds open; past the cap it gets a 429 and is closed. */
export function capConnections(server: http.Server, cap: number) {
  const open = new Map<string, number>();
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

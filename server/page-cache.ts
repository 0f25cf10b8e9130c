import crypto from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { LRUCache } from "lru-cache";
import { contentSecurityPolicy, sharedPagePolicy } from "./csp";
import type { Overlay } from "./overlay";

// The finished responses of public pages, for anonymous readers
// (docs/caching.md). server.ts decides what may be shared and keys each page
// on its data version; this module holds the bytes and writes their policy.

const gzip = promisify(zlib.gzip);

/** Public pages: browsers ask again each time (a 304 is cheap); a CDN may keep them briefly. */
export const SHARED_CACHE_CONTROL = "public, max-age=0, s-maxage=5, stale-while-revalidate=30";
/** Pages drawn for one signed-in person. */
export const PRIVATE_CACHE_CONTROL = "private, no-cache";
/** A shared page differs by encoding, and is never the page of someone with a session. */
export const SHARED_VARY = "Accept-Encoding, Cookie";

export type SharedPage = {
  status: number;
  /** The route's own headers (type, CORS, disposition), lower-case names. */
  headers: [string, string][];
  csp: string;
  gzip: Buffer;
  /** Where a signed-in reader's part joins the page (issue 26); absent when it cannot. */
  overlay?: Overlay;
};

/** A weak validator named after the cache key: equal keys draw equal pages. */
export const etagOf = (key: string) => `W/"${crypto.createHash("sha256").update(key).digest("base64url").slice(0, 27)}"`;

// Headers that belong to one response, not to the page.
const PER_RESPONSE = new Set(["set-cookie", "content-length", "content-encoding", "transfer-encoding", "cache-control", "etag", "vary", "content-security-policy", "connection"]);

/** Builds the shareable form of a response drawn without a nonce: gzip bytes and a hash policy. */
export async function sharedPageOf(status: number, headers: Headers, body: Buffer): Promise<SharedPage> {
  const kept: [string, string][] = [];
  for (const [name, value] of headers.entries()) if (!PER_RESPONSE.has(name)) kept.push([name, value]);
  const html = (headers.get("content-type") ?? "").includes("text/html");
  return { status, headers: kept, csp: html ? sharedPagePolicy(body.toString("utf8")) : contentSecurityPolicy([]), gzip: await gzip(body) };
}

/** A response may be kept for everyone only if it is a success that names nobody and no route asked otherwise. */
export function isShareable(status: number, headers: Headers): boolean {
  if (status !== 200 || headers.has("set-cookie")) return false;
  return !/\b(private|no-store)\b/i.test(headers.get("cache-control") ?? "");
}


/**
 * An LRU of shared pages with a byte cap. Concurrent misses of one key wait
 * for a single render (`begin` / the returned finish) instead of each drawing it.
 */
export class PageCache {
  // Two partitions: pages at a URL with a query string get a quarter of the
  // bytes, those without the rest. Query strings are unbounded (`?page=N`,
  // `?voted=anything`), so a client walking through them can push out only
  // other query pages, never the pages most readers read (issue 23).
  private readonly plain: LRUCache<string, SharedPage>;
  private readonly queried: LRUCache<string, SharedPage>;
  private readonly drawing = new Map<string, Promise<SharedPage | null>>();
  // The key each URL's page is kept under now. A newer version of a page
  // replaces the older at once: under steady writes every read draws a new
  // version, and old ones would otherwise fill the cap before aging out.
  private readonly current = new Map<string, string>();
  private readonly slotOf = new Map<string, string>();

  constructor(maxBytes: number) {
    const lru = (bytes: number) =>
      new LRUCache<string, SharedPage>({
        maxSize: Math.max(1, Math.floor(bytes)),
        // The bytes, plus a little for the key and the headers.
        sizeCalculation: (page, key) => page.gzip.length + key.length + page.csp.length + 256 + (page.overlay?.bytes ?? 0),
        dispose: (_page, key) => {
          const slot = this.slotOf.get(key);
          this.slotOf.delete(key);
          if (slot !== undefined && this.current.get(slot) === key) this.current.delete(slot);
        },
      });
    this.plain = lru(maxBytes * 0.75);
    this.queried = lru(maxBytes * 0.25);
  }

  /**
   * Keys end in the URL, and nothing before it holds a "?" (build hash,
   * version, minute): a key with one is a URL with a query string, kept apart.
   */
  private partOf(key: string): LRUCache<string, SharedPage> {
    return key.includes("?") ? this.queried : this.plain;
  }

  get(key: string): SharedPage | undefined {
    return this.partOf(key).get(key);
  }

  /** The page another request is drawing for this key, if any. */
  pending(key: string): Promise<SharedPage | null> | undefined {
    return this.drawing.get(key);
  }

  /**
   * Claims the drawing of `key`; call the result with the page, or null if it
   * cannot be shared. `slot` names what the page is a version of (its URL):
   * keeping it drops the slot's previous version.
   */
  begin(key: string, slot: string = key): (page: SharedPage | null) => void {
    let settle!: (page: SharedPage | null) => void;
    this.drawing.set(key, new Promise((resolve) => (settle = resolve)));
    let done = false;
    return (page) => {
      if (done) return;
      done = true;
      if (page) {
        const pages = this.partOf(key);
        const previous = this.current.get(slot);
        if (previous !== undefined && previous !== key) this.partOf(previous).delete(previous);
        pages.set(key, page);
        if (pages.has(key)) {
          this.current.set(slot, key);
          this.slotOf.set(key, slot);
        }
      }
      this.drawing.delete(key);
      settle(page);
    };
  }

  /** Pages held. */
  get count(): number {
    return this.plain.size + this.queried.size;
  }

  /** Bytes held, as the cap counts them. */
  get size(): number {
    return this.plain.calculatedSize + this.queried.calculatedSize;
  }

  clear(): void {
    this.plain.clear();
    this.queried.clear();
  }
}

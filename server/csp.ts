import crypto from "node:crypto";

// The Content-Security-Policy every response carries: a fresh nonce for a
// page drawn for one person (headers.ts), the hashes of its own inline
// scripts for a page many people share (docs/decisions/014).

/**
 * Content-Security-Policy, with the given script sources besides 'self'.
 * `frameAncestors`: who may frame the page; nobody, but for the embed pages
 * and the sites EMBED_ORIGINS names (issue 27).
 */
export function contentSecurityPolicy(scriptSources: string[], frameAncestors: readonly string[] = []): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptSources].join(" "),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(" ") : "'none'"}`,
  ].join("; ");
}

// Inline scripts are those without a src. React and Remix escape "</" inside
// the scripts they write, so the first "</script>" ends each one.
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

/** A page's inline scripts, in order: each one's text and where that text starts. */
export function* inlineScripts(html: string): Generator<{ body: string; at: number }> {
  for (const m of html.matchAll(SCRIPT)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    yield { body: m[2], at: m.index! + m[0].length - m[2].length - "</script>".length };
  }
}

/** A script source allowing exactly this inline script. */
export const scriptHash = (body: string) => `'sha256-${crypto.createHash("sha256").update(body, "utf8").digest("base64")}'`;

/**
 * The policy of a page many people share: its own inline scripts allowed by
 * their SHA-256 hashes, so no nonce is needed (docs/decisions/014).
 */
export function sharedPagePolicy(html: string): string {
  return contentSecurityPolicy([...new Set([...inlineScripts(html)].map((s) => scriptHash(s.body)))]);
}

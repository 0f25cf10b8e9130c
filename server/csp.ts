import crypto from "node:crypto";

// The Content-Security-Policy every response carries: a fresh nonce for a
// page drawn for one person (headers.ts), the hashes of its own inline
// scripts for a page many people share (docs/decisions/014).

/** Content-Security-Policy, with the given script sources besides 'self'. */
export function contentSecurityPolicy(scriptSources: string[]): string {
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
    "frame-ancestors 'none'",
  ].join("; ");
}

// Inline scripts are those without a src. React and Remix escape "</" inside
// the scripts they write, so the first "</script>" ends each one.
const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

/**
 * The policy of a page many people share: its own inline scripts allowed by
 * their SHA-256 hashes, so no nonce is needed (docs/decisions/014).
 */
export function sharedPagePolicy(html: string): string {
  const hashes = new Set<string>();
  for (const [, attrs, body] of html.matchAll(INLINE_SCRIPT)) {
    if (/\bsrc\s*=/i.test(attrs)) continue;
    hashes.add(`'sha256-${crypto.createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return contentSecurityPolicy([...hashes]);
}

/**
 * CSRF defence: a request that can change state must carry an Origin equal,
 * scheme, host and port, to one this site answers to. Comparing hosts alone
 * would let an https page post to the http site, or the other way round.
 */
export function isAllowedOrigin(method: string, origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  if (!origin) return false;
  let parsed: string;
  try {
    parsed = new URL(origin).origin;
  } catch {
    return false;
  }
  return parsed === origin && allowed.has(parsed);
}

/**
 * CSRF defence: a request that can change state must carry an Origin equal,
 * scheme, host and port, to one this site answers to, and to the Host asked. Comparing hosts alone
 * would let an https page post to the http site, or the other way round.
 */
export function isAllowedOrigin(method: string, origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  if (!origin || !host) return false;
  let parsed: string;
  try {
    parsed = new URL(origin).origin;
  } catch {
    return false;
  }
  // The page that posted was served by the host it posts to (Remix checks that too).
  return parsed === origin && allowed.has(parsed) && new URL(parsed).host === host.toLowerCase();
}

/** Adds query parameters and a hash to a same-site path. */
export function withParams(path: string, params: Record<string, string>, hash?: string): string {
  const url = new URL(path, "http://x");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (hash) url.hash = hash;
  return url.pathname + url.search + url.hash;
}

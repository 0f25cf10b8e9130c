import { sitePath } from "./form.server";

/** Adds query parameters and a hash to a same-site path; anything else becomes "/" first. */
export function withParams(path: string, params: Record<string, string>, hash?: string): string {
  const url = new URL(sitePath(path) ?? "/", "http://pulse.invalid");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (hash) url.hash = hash;
  return sitePath(url.pathname + url.search + url.hash) ?? "/";
}

export const SORTS = ["best", "top", "new", "old", "controversial"] as const;
export type Sort = (typeof SORTS)[number];

/** Query parameters of a thread view; anything malformed falls back to the default. */
export function threadParams(url: URL) {
  const s = url.searchParams.get("sort");
  const sort: Sort = (SORTS as readonly string[]).includes(s ?? "") ? (s as Sort) : "best";
  const p = Number(url.searchParams.get("page") ?? "1");
  const page = Number.isInteger(p) && p >= 1 && p <= 100_000 ? p : 1;
  const st = url.searchParams.get("stance");
  const stanceOptionId = st && /^\d{1,9}$/.test(st) ? Number(st) : null;
  return { sort, page, stanceOptionId };
}

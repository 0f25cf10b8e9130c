export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : pluralWord}`;
}

/** A stable, locale-independent rendering so server and browser agree. */
/**
 * A wait as people say it, rounded up so it is never sooner than true:
 * "in 40 seconds", "in 4 minutes", "in 23 hours".
 */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `in ${plural(s, "second")}`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `in ${plural(minutes, "minute")}`;
  const hours = Math.ceil(s / 3600);
  if (hours < 48) return `in ${plural(hours, "hour")}`;
  return `in ${plural(Math.ceil(s / 86400), "day")}`;
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The time a page is drawn at: the start of the minute. Relative times need no
 * finer clock, and a page kept for anonymous readers stays the page a fresh
 * render would draw within that minute (docs/caching.md).
 */
export function pageClock(ms = Date.now()): number {
  return ms - (ms % 60_000);
}

/** "3 minutes ago", computed against a `now` the server sends so both renders agree. */
export function relativeTime(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 45) return "just now";
  const units: [number, string][] = [
    [60, "minute"],
    [3600, "hour"],
    [86400, "day"],
    [86400 * 30, "month"],
    [86400 * 365, "year"],
  ];
  let chosen = units[0];
  for (const u of units) if (s >= u[0] * 0.95) chosen = u;
  const n = Math.max(1, Math.round(s / chosen[0]));
  return `${n} ${chosen[1]}${n === 1 ? "" : "s"} ago`;
}

/** One typed value as text (the first, for a repeated field). */
export function typedText(values: Record<string, string | string[]> | undefined, key: string): string | undefined {
  const v = values?.[key];
  return Array.isArray(v) ? v[0] : v;
}

// Field limits, named once: the form schemas (app/forms), the `maxLength`
// attributes and the messages all read them from here (issue 24). They live
// in this module, which every page already loads, rather than in one of
// their own: a module of its own became one more script request per page.
export const LIMITS = {
  username: { min: 3, max: 32 },
  /** What a sign-in or a recovery form accepts as a name (older names may be longer than new ones). */
  signInName: 64,
  password: 256,
  comment: 10_000,
  reason: 500,
  search: 300,
  url: 2000,
  slug: 64,
  topicTitle: 200,
  /** A topic's summary and the site's rules. */
  longText: 20_000,
  question: 300,
  pollDescription: 5000,
  option: 200,
  options: 30,
  scaleLabel: 60,
  resolutionCriteria: 3000,
  resolutionNote: 2000,
} as const;

/** "Keep it under 10,000 characters." */
export const keepUnder = (max: number, what = "it") => `Keep ${what} under ${max.toLocaleString("en")} characters.`;

/** "Use at most 64 characters." */
export const atMost = (max: number) => `Use at most ${max.toLocaleString("en")} characters.`;

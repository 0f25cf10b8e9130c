// Field limits, named once: the form schemas (app/forms), the `maxLength`
// attributes and the messages all read them from here (issue 24).

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

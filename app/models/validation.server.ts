import slugify from "slugify";
import { z } from "zod";
import { CLAUSE_STATUSES, NOTIFICATION_KINDS, POLL_KINDS, ROLES, VISIBILITIES } from "../../db/schema/domain";
import { guessablePassword, passwordProblem } from "../lib/common-passwords.server";
import type { PollForm } from "./polls.server";
import { renderable, TOO_DEEP } from "../lib/markdown.server";

// Input rules for accounts. Kept server-side so zod never ships to browsers.
export const usernameSchema = z
  .string({ error: "Choose a username." })
  .trim()
  .toLowerCase()
  .min(3, "Use at least 3 characters.")
  .max(32, "Use at most 32 characters.")
  .regex(/^[a-z0-9_-]+$/, "Use only letters, digits, '_' and '-'.");

/** A new password, by the one set of rules (passwordProblem); forms that know the username check it against that too. */
export const passwordSchema = z.string({ error: "Choose a password." }).superRefine((p, ctx) => {
  const problem = passwordProblem(p, null);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// Honeypot: people never see it, so anything in it is a bot.
const honeypotField = z.literal("", { error: "Leave this field empty." }).optional();

/**
 * Names that would pass for Pulse itself or its staff. Compared without
 * digits, '_' and '-', so `admin1` and `mod-erator` are refused too.
 */
export const RESERVED_USERNAMES = [
  "admin", "administrator", "root", "moderator", "mod", "mods", "system", "pulse", "support", "staff",
  "official", "help", "security", "abuse", "postmaster", "webmaster", "hostmaster", "api", "www", "null",
  "undefined", "anonymous", "deleted", "removed", "nobody", "owner", "sysop",
];
const reserved = new Set(RESERVED_USERNAMES);
// Digits read as the letters they pass for (adm1n, 4dmin, r00t); 1 is i or l.
const LOOKALIKE: Record<string, string> = { "0": "o", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g" };
const asLetters = (s: string, one: string) => s.replace(/\d/g, (d) => (d === "1" ? one : LOOKALIKE[d]));
/**
 * Whether a name would pass for a reserved one: with digits, `_` and `-`
 * dropped (admin_2), with digits read as letters (adm1n, m0derator), or
 * both, digits at one end dropped and the rest read (4dmin99).
 */
export function isReservedUsername(name: string): boolean {
  const bare = name.toLowerCase().replace(/[_-]/g, "");
  const trimmed = [bare, bare.replace(/\d+$/, ""), bare.replace(/^\d+/, "")];
  const readings = [bare.replace(/\d/g, ""), ...["i", "l"].flatMap((one) => trimmed.map((t) => asLetters(t, one)))];
  return readings.some((r) => reserved.has(r));
}

export const signupSchema = z
  .strictObject({
    username: usernameSchema.refine((u) => !isReservedUsername(u), "That name is reserved; choose another."),
    password: passwordSchema,
    redirectTo: z.string().optional(),
    website: honeypotField,
  })
  .superRefine((v, ctx) => {
    const problem = guessablePassword(v.password, v.username);
    if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: problem });
  });

export const passwordChangeSchema = z.strictObject({
  intent: z.literal("password"),
  current: z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(256),
  password: passwordSchema,
});

export const settingsActionSchema = z.discriminatedUnion(
  "intent",
  [
    passwordChangeSchema,
    z.strictObject({ intent: z.literal("signout-everywhere") }),
    z.strictObject({
      intent: z.literal("notifications"),
      kinds: z
        .union([z.enum(NOTIFICATION_KINDS), z.array(z.enum(NOTIFICATION_KINDS)).max(NOTIFICATION_KINDS.length)], { error: "Unknown kind of notification." })
        .optional()
        .transform((k) => (k === undefined ? [] : Array.isArray(k) ? k : [k])),
    }),
    z.strictObject({ intent: z.literal("unmute"), username: z.string().min(1).max(64) }),
    z.strictObject({ intent: z.literal("recovery-codes"), current: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(256) }),
    z.strictObject({ intent: z.literal("delete"), current: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(256), confirm: z.literal("delete my account", { error: 'Type "delete my account" to confirm.' }) }),
  ],
  { error: "Unknown action." },
);

/** The mute button on a profile. */
export const muteSchema = z.strictObject({ intent: z.enum(["mute", "unmute"], { error: "Unknown action." }) });

export const recoverSchema = z.strictObject({
  username: z.string({ error: "Enter your username." }).trim().min(1, "Enter your username.").max(64, "Use at most 64 characters."),
  code: z.string({ error: "Enter one of your recovery codes." }).trim().min(1, "Enter one of your recovery codes.").max(64, "That is not a recovery code."),
  password: passwordSchema,
});

export const resetSchema = z.strictObject({ password: passwordSchema });

export const loginSchema = z.strictObject({
  username: z.string().trim().min(1, "Enter your username.").max(64, "Use at most 64 characters."),
  password: z.string().min(1, "Enter your password.").max(256, "Use at most 256 characters."),
  redirectTo: z.string().optional(),
});

const optionId = z.coerce
  .number<string>({ error: "That option does not belong to this question." })
  .int("That option does not belong to this question.")
  .positive("That option does not belong to this question.");

export const voteSchema = z.strictObject({
  intent: z.enum(["vote", "withdraw"], { error: "Unknown action." }),
  option: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(optionId).max(100, "Too many options.")),
  value: z.coerce
    .number({ error: "Pick a value from 1 to 5." })
    .int("Pick a value from 1 to 5.")
    .min(1, "Pick a value from 1 to 5.")
    .max(5, "Pick a value from 1 to 5.")
    .optional(),
  redirectTo: z.string().max(2000).optional(),
  // Present only when the page's script submitted the form (see useHydrated).
  via: z.literal("fetcher").optional(),
});

// Control characters (but tabs and line breaks) carry no meaning in a comment.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;


const body = z
  .string({ error: "Write something first." })
  .transform((s) => s.replace(CONTROL, "").trim())
  .pipe(z.string().min(1, "Write something first.").max(10_000, "Keep it under 10,000 characters.").refine(renderable, TOO_DEEP));

const id = (message: string) => z.coerce.number<string>({ error: message }).int(message).positive(message).max(2 ** 31, message);

// Honeypot: people never see it, so anything in it is a bot.
const honeypot = honeypotField;

export const newCommentSchema = z.strictObject({
  intent: z.enum(["post", "preview"], { error: "Unknown action." }),
  body,
  stance: z.union([z.literal(""), id("That stance is not an answer to this question.")]).optional(),
  redirectTo: z.string().max(2000).optional(),
  via: z.literal("fetcher").optional(),
  website: honeypot,
});

export const commentActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({
      intent: z.literal("edit"),
      body,
      redirectTo: z.string().max(2000).optional(),
      via: z.literal("fetcher").optional(),
      website: honeypot,
    }),
    z.strictObject({
      intent: z.enum(["delete", "up", "down"]),
      redirectTo: z.string().max(2000).optional(),
      via: z.literal("fetcher").optional(),
    }),
  ],
  { error: "Unknown action." },
);

// ---------------------------------------------------------------- admin forms

const slug = z
  .string({ error: "Choose a slug." })
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(64, "Use at most 64 characters.")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters and digits separated by single hyphens.");

const optionalUrl = z
  .string()
  .trim()
  .max(2000, "Use at most 2,000 characters.")
  .refine((s) => s === "" || /^https?:\/\/[^\s]+$/i.test(s), "Give a full http(s) link, or leave it empty.")
  .transform((s) => (s === "" ? null : s));

const reason = z.string().trim().max(500, "Keep the reason under 500 characters.").optional().transform((s) => s || null);

export const topicFormSchema = z
  .strictObject({
    intent: z.enum(["save", "preview"], { error: "Unknown action." }),
    // Left empty, made from the title, as a poll's is from its question (issue 23).
    slug: z.union([z.literal(""), slug]).default(""),
    title: z.string({ error: "Give a title." }).trim().min(3, "Use at least 3 characters.").max(200, "Use at most 200 characters."),
    summaryMd: z.string({ error: "Write a summary." }).trim().min(1, "Write a summary.").max(20_000, "Keep it under 20,000 characters.").refine(renderable, TOO_DEEP),
    sourceUrl: optionalUrl,
  })
  .transform((v) => ({ ...v, slug: v.slug || (slugFrom(v.title).length >= 2 ? slugFrom(v.title) : "topic") }));

export const siteTextSchema = z.strictObject({
  intent: z.enum(["save", "preview"], { error: "Unknown action." }),
  bodyMd: z.string({ error: "Write the text." }).trim().min(1, "Write the text.").max(20_000, "Keep it under 20,000 characters.").refine(renderable, TOO_DEEP),
});

export const topicLockSchema = z.strictObject({ intent: z.enum(["lock", "unlock"]), reason });

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const int = (label: string) => z.coerce.number<string>({ error: `${label} must be a whole number.` }).int(`${label} must be a whole number.`).min(0, `${label} cannot be negative.`).max(100, `${label} is too large.`);

/** A slug made from a question: "Will Meta's next Llama…?" becomes "will-metas-next-llama". */
export function slugFrom(text: string): string {
  return slugify(text, { lower: true, strict: true, trim: true }).slice(0, 64).replace(/-+$/, "");
}

export const pollFormSchema = z
  .strictObject({
    intent: z.literal("save", { error: "Unknown action." }),
    // Left empty, it is made from the question.
    slug: z.union([z.literal(""), slug]).default(""),
    question: z.string({ error: "Write the question." }).trim().min(3, "Use at least 3 characters.").max(300, "Use at most 300 characters."),
    descriptionMd: z.string().trim().max(5000, "Keep it under 5,000 characters.").refine(renderable, TOO_DEEP).default(""),
    kind: z.enum(POLL_KINDS, { error: "Pick a kind of question." }),
    options: list.pipe(z.array(z.string().trim().max(200, "Keep each option under 200 characters.")).max(30, "Use at most 30 options.")),
    optionIds: list.pipe(z.array(z.string().regex(/^(new|\d{1,9})$/, "That option does not belong to this poll."))),
    /** Row numbers (from 0) of the options marked exclusive. */
    exclusive: list.pipe(z.array(z.string().regex(/^\d{1,2}$/, "That option row does not exist."))),
    minChoices: int("The minimum").default(1),
    maxChoices: int("The maximum").default(1),
    scaleMinLabel: z.string().trim().max(60, "Use at most 60 characters.").default(""),
    scaleMaxLabel: z.string().trim().max(60, "Use at most 60 characters.").default(""),
    visibility: z.enum(VISIBILITIES, { error: "Pick when results show." }),
    closesAt: z
      .string()
      .trim()
      .default("")
      .refine((s) => s === "" || (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(s) && !Number.isNaN(Date.parse(`${s}Z`))), "Give a date and time, or leave it empty.")
      .transform((s) => (s === "" ? null : Date.parse(`${s}Z`))),
    /**
     * With JavaScript the browser sends the close time it read in the admin's
     * own time zone, converted to UTC (ISO 8601); it wins over closesAt, which
     * is then read as UTC only by browsers without JavaScript.
     */
    closesAtUtc: z
      .string()
      .trim()
      .default("")
      .refine((s) => s === "" || (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?Z$/.test(s) && !Number.isNaN(Date.parse(s))), { message: "Give a date and time, or leave it empty.", path: ["closesAt"] })
      .transform((s) => (s === "" ? null : Date.parse(s))),
    shuffle: z.literal("on").optional().transform(Boolean),
    isPrediction: z.literal("on").optional().transform(Boolean),
    resolutionCriteria: z.string().trim().max(3000, "Keep it under 3,000 characters.").default("").transform((s) => s || null),
  })
  .refine((v) => v.options.length === v.optionIds.length, { message: "The options were sent incompletely.", path: ["options"] })
  .transform(
    ({ intent: _intent, options, optionIds, exclusive, closesAtUtc, closesAt, slug, ...rest }): PollForm => ({
      ...rest,
      slug: slug || slugFrom(rest.question) || "poll",
      closesAt: closesAtUtc ?? closesAt,
      options: options.map((label, i) => ({ id: optionIds[i] === "new" ? null : Number(optionIds[i]), label, exclusive: exclusive.includes(String(i)) })),
    }),
  );

export const pollStateSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.enum(["close", "reopen", "unresolve"]) }),
    z.strictObject({
      intent: z.literal("resolve"),
      optionId: z.coerce.number<string>({ error: "Pick the outcome." }).int("Pick the outcome.").positive("Pick the outcome."),
      note: z.string().trim().max(2000, "Keep the note under 2,000 characters.").optional().transform((s) => s || null),
      sourceUrl: optionalUrl.optional().transform((s) => s ?? null),
    }),
  ],
  { error: "Unknown action." },
);

export const threadLockSchema = z.strictObject({
  intent: z.enum(["lock", "unlock"], { error: "Unknown action." }),
  topic: z.string().max(100),
  poll: z.string().max(100).optional(),
  reason,
  redirectTo: z.string().max(2000).optional(),
});

export const reportSchema = z.strictObject({
  intent: z.literal("report"),
  reason: z.string({ error: "Say what is wrong." }).trim().min(3, "Say what is wrong (at least 3 characters).").max(500, "Keep the reason under 500 characters."),
  redirectTo: z.string().max(2000).optional(),
  via: z.literal("fetcher").optional(),
});

export const moderateCommentSchema = z.strictObject({
  intent: z.enum(["remove", "restore"]),
  reason,
  redirectTo: z.string().max(2000).optional(),
  via: z.literal("fetcher").optional(),
});

export const reportsActionSchema = z.strictObject({
  intent: z.enum(["dismiss", "remove"], { error: "Unknown action." }),
  report: z.coerce.number<string>().int().positive(),
  reason,
});

export const usersActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("role"), user: z.string().min(1).max(64), role: z.enum(ROLES, { error: "Pick a role." }), reason }),
    z.strictObject({ intent: z.literal("ban"), user: z.string().min(1).max(64), reason, withdrawBallots: z.literal("on").optional().transform(Boolean) }),
    z.strictObject({ intent: z.literal("unban"), user: z.string().min(1).max(64), reason }),
    z.strictObject({ intent: z.literal("reset-link"), user: z.string().min(1).max(64) }),
  ],
  { error: "Unknown action." },
);

// The comparison of a document's versions (/admin/topics/:slug/versions): one
// form per row, told apart by intent and id.
const rowId = z.coerce.number<string>({ error: "Unknown row." }).int("Unknown row.").positive("Unknown row.");
const position = z.coerce.number<string>({ error: "Give a position." }).int("The position must be a whole number.").min(0, "The position cannot be negative.").max(99, "Use a position up to 99.");
const shortText = (what: string, min: number, max: number) =>
  z.string({ error: `Give the ${what}.` }).trim().min(min, min === 1 ? `Give the ${what}.` : `Use at least ${min} characters.`).max(max, `Use at most ${max} characters.`);

export const comparisonActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("comparison"), title: shortText("title", 3, 200), intro: z.string().trim().max(2000, "Keep the introduction under 2,000 characters.").default("") }),
    z.strictObject({
      intent: z.literal("version"),
      id: rowId.optional(),
      label: shortText("version's name", 1, 100),
      released: z.string().trim().max(100, "Use at most 100 characters.").default(""),
      sourceUrl: optionalUrl,
      position,
    }),
    z.strictObject({ intent: z.literal("delete-version"), id: rowId }),
    z.strictObject({
      intent: z.literal("clause"),
      id: rowId.optional(),
      slug: z
        .string({ error: "Choose a slug." })
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens.")
        .max(40, "Use at most 40 characters.")
        .optional(),
      title: shortText("clause's name", 3, 120),
      position,
    }),
    z.strictObject({ intent: z.literal("delete-clause"), id: rowId }),
    z.strictObject({
      intent: z.literal("cell"),
      clause: rowId,
      version: rowId,
      status: z.enum([...CLAUSE_STATUSES, ""], { error: "Pick a status, or none to clear the cell." }),
      summary: z.string().trim().max(1000, "Keep the summary under 1,000 characters.").default(""),
      sourceUrl: optionalUrl,
    }),
  ],
  { error: "Unknown action." },
);

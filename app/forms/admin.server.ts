import { z } from "zod";
import { CLAUSE_STATUSES, POLL_KINDS, ROLES, VISIBILITIES } from "../../db/schema/domain";
import { atMost, keepUnder, LIMITS } from "../lib/format";
import { renderable, TOO_DEEP } from "../lib/markdown.server";
import type { PollForm } from "../models/polls.server";
import { list, optionalUrl, reason, slug, slugFrom } from "./fields.server";

// The forms of the admin pages: topics, the rules, polls and their state,
// reports, users, and the comparison of a document's versions.

const int = (label: string) => z.coerce.number<string>({ error: `${label} must be a whole number.` }).int(`${label} must be a whole number.`).min(0, `${label} cannot be negative.`).max(100, `${label} is too large.`);

export const topicFormSchema = z
  .strictObject({
    intent: z.enum(["save", "preview"], { error: "Unknown action." }),
    // Left empty, made from the title, as a poll's is from its question (issue 23).
    slug: z.union([z.literal(""), slug]).default(""),
    title: z.string({ error: "Give a title." }).trim().min(3, "Use at least 3 characters.").max(LIMITS.topicTitle, atMost(LIMITS.topicTitle)),
    summaryMd: z.string({ error: "Write a summary." }).trim().min(1, "Write a summary.").max(LIMITS.longText, keepUnder(LIMITS.longText)).refine(renderable, TOO_DEEP),
    sourceUrl: optionalUrl,
  })
  .transform((v) => ({ ...v, slug: v.slug || (slugFrom(v.title).length >= 2 ? slugFrom(v.title) : "topic") }));

export const siteTextSchema = z.strictObject({
  intent: z.enum(["save", "preview"], { error: "Unknown action." }),
  bodyMd: z.string({ error: "Write the text." }).trim().min(1, "Write the text.").max(LIMITS.longText, keepUnder(LIMITS.longText)).refine(renderable, TOO_DEEP),
});

export const topicLockSchema = z.strictObject({ intent: z.enum(["lock", "unlock"]), reason });

export const pollFormSchema = z
  .strictObject({
    intent: z.literal("save", { error: "Unknown action." }),
    // Left empty, it is made from the question.
    slug: z.union([z.literal(""), slug]).default(""),
    question: z.string({ error: "Write the question." }).trim().min(3, "Use at least 3 characters.").max(LIMITS.question, atMost(LIMITS.question)),
    descriptionMd: z.string().trim().max(LIMITS.pollDescription, keepUnder(LIMITS.pollDescription)).refine(renderable, TOO_DEEP).default(""),
    kind: z.enum(POLL_KINDS, { error: "Pick a kind of question." }),
    options: list.pipe(z.array(z.string().trim().max(LIMITS.option, keepUnder(LIMITS.option, "each option"))).max(LIMITS.options, `Use at most ${LIMITS.options} options.`)),
    optionIds: list.pipe(z.array(z.string().regex(/^(new|\d{1,9})$/, "That option does not belong to this poll."))),
    /** Row numbers (from 0) of the options marked exclusive. */
    exclusive: list.pipe(z.array(z.string().regex(/^\d{1,2}$/, "That option row does not exist."))),
    minChoices: int("The minimum").default(1),
    maxChoices: int("The maximum").default(1),
    scaleMinLabel: z.string().trim().max(LIMITS.scaleLabel, atMost(LIMITS.scaleLabel)).default(""),
    scaleMaxLabel: z.string().trim().max(LIMITS.scaleLabel, atMost(LIMITS.scaleLabel)).default(""),
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
    allowGuests: z.literal("on").optional().transform(Boolean),
    resolutionCriteria: z.string().trim().max(LIMITS.resolutionCriteria, keepUnder(LIMITS.resolutionCriteria)).default("").transform((s) => s || null),
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
      note: z.string().trim().max(LIMITS.resolutionNote, keepUnder(LIMITS.resolutionNote, "the note")).optional().transform((s) => s || null),
      sourceUrl: optionalUrl.optional().transform((s) => s ?? null),
    }),
  ],
  { error: "Unknown action." },
);

export const reportsActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("dismiss"), report: z.coerce.number<string>().int().positive(), reason }),
    z.strictObject({ intent: z.literal("remove"), report: z.coerce.number<string>().int().positive(), reason }),
    // The review queue of new accounts' held comments (issue 28).
    z.strictObject({ intent: z.literal("accept"), comment: z.coerce.number<string>().int().positive(), reason }),
    z.strictObject({ intent: z.literal("reject"), comment: z.coerce.number<string>().int().positive(), reason }),
    z.strictObject({ intent: z.literal("reject_ban"), comment: z.coerce.number<string>().int().positive(), reason }),
  ],
  { error: "Unknown action." },
);

export const usersActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("role"), user: z.string().min(1).max(64), role: z.enum(ROLES, { error: "Pick a role." }), reason }),
    z.strictObject({ intent: z.literal("ban"), user: z.string().min(1).max(64), reason, withdrawBallots: z.literal("on").optional().transform(Boolean) }),
    z.strictObject({ intent: z.literal("unban"), user: z.string().min(1).max(64), reason }),
    z.strictObject({ intent: z.literal("reset-link"), user: z.string().min(1).max(64) }),
    z.strictObject({ intent: z.literal("trust"), user: z.string().min(1).max(64), reason }),
    z.strictObject({ intent: z.literal("untrust"), user: z.string().min(1).max(64), reason }),
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

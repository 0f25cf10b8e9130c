import { z } from "zod";
import { keepUnder, LIMITS } from "../lib/format";
import { commentBody, honeypot, id, reason, redirectTo, via } from "./fields.server";

// The forms of a discussion: answering a poll, writing and acting on
// comments, reports and moderation, and locking a thread.

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
  // A ranked poll's places, one "optionId:place" per option ranked; an option left unranked sends "".
  rank: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^([1-9][0-9]{0,14}:[1-9][0-9]{0,2})?$/, "Pick a place from the list for each option.")).max(100, "Too many options."))
    .transform((list) => list.filter(Boolean).map((p) => ({ optionId: Number(p.split(":")[0]), rank: Number(p.split(":")[1]) }))),
  value: z.coerce
    .number({ error: "Pick a value from 1 to 5." })
    .int("Pick a value from 1 to 5.")
    .min(1, "Pick a value from 1 to 5.")
    .max(5, "Pick a value from 1 to 5.")
    .optional(),
  redirectTo,
  via,
});

export const newCommentSchema = z.strictObject({
  intent: z.enum(["post", "preview"], { error: "Unknown action." }),
  body: commentBody,
  stance: z.union([z.literal(""), id("That stance is not an answer to this question.")]).optional(),
  redirectTo,
  via,
  website: honeypot,
});

export const commentActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({
      intent: z.literal("edit"),
      body: commentBody,
      redirectTo,
      via,
      website: honeypot,
    }),
    z.strictObject({
      intent: z.enum(["delete", "up", "down"]),
      redirectTo,
      via,
    }),
  ],
  { error: "Unknown action." },
);

export const threadLockSchema = z.strictObject({
  intent: z.enum(["lock", "unlock"], { error: "Unknown action." }),
  topic: z.string().max(100),
  poll: z.string().max(100).optional(),
  reason,
  redirectTo,
});

export const reportSchema = z.strictObject({
  intent: z.literal("report"),
  reason: z.string({ error: "Say what is wrong." }).trim().min(3, "Say what is wrong (at least 3 characters).").max(LIMITS.reason, keepUnder(LIMITS.reason, "the reason")),
  redirectTo,
  via,
});

export const moderateCommentSchema = z.strictObject({
  intent: z.enum(["remove", "restore"]),
  reason,
  redirectTo,
  via,
});


// People's statements (issue 28): write one, or rate one.
const statementBody = z.string({ error: "Write your statement." }).max(1000, "At most 140 characters: one idea per statement.");
export const statementActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("write"), body: statementBody, via }),
    z.strictObject({ intent: z.literal("rate"), statement: id("No such statement to rate."), vote: z.enum(["agree", "disagree", "pass"], { error: "Agree, disagree or pass." }), via }),
  ],
  { error: "Unknown action." },
);

export const statementModerationSchema = z.discriminatedUnion(
  "intent",
  [
    z.strictObject({ intent: z.literal("accept"), statement: id("No such statement."), reason }),
    z.strictObject({ intent: z.literal("hide"), statement: id("No such statement."), reason }),
    z.strictObject({ intent: z.literal("seed"), topic: id("No such topic."), body: statementBody }),
    z.strictObject({ intent: z.literal("mode"), topic: id("No such topic."), mode: z.enum(["off", "strict", "lazy"], { error: "Pick off, strict or lazy." }) }),
  ],
  { error: "Unknown action." },
);

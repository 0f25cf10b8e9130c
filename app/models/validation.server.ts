import { z } from "zod";

// Input rules for accounts. Kept server-side so zod never ships to browsers.
export const usernameSchema = z
  .string({ error: "Choose a username." })
  .trim()
  .toLowerCase()
  .min(3, "Use at least 3 characters.")
  .max(32, "Use at most 32 characters.")
  .regex(/^[a-z0-9_-]+$/, "Use only letters, digits, '_' and '-'.");

export const passwordSchema = z
  .string({ error: "Choose a password." })
  .min(8, "Use at least 8 characters.")
  .max(256, "Use at most 256 characters.");

export const signupSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  redirectTo: z.string().optional(),
});

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

const body = z
  .string({ error: "Write something first." })
  .transform((s) => s.trim())
  .pipe(z.string().min(1, "Write something first.").max(10_000, "Keep it under 10,000 characters."));

const id = (message: string) => z.coerce.number<string>({ error: message }).int(message).positive(message).max(2 ** 31, message);

// Honeypot: people never see it, so anything in it is a bot.
const honeypot = z.literal("", { error: "Leave this field empty." }).optional();

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

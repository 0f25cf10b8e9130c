import { z } from "zod";
import { NOTIFICATION_KINDS } from "../../db/schema/domain";
import { guessablePassword } from "../lib/common-passwords.server";
import { atMost, LIMITS } from "../lib/format";
import { honeypot, passwordSchema, redirectTo } from "./fields.server";

// The account forms: sign-up, sign-in, recovery, reset, settings, mute.

export { passwordSchema };

export const usernameSchema = z
  .string({ error: "Choose a username." })
  .trim()
  .toLowerCase()
  .min(LIMITS.username.min, `Use at least ${LIMITS.username.min} characters.`)
  .max(LIMITS.username.max, atMost(LIMITS.username.max))
  .regex(/^[a-z0-9_-]+$/, "Use only letters, digits, '_' and '-'.");

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
    redirectTo,
    website: honeypot,
  })
  .superRefine((v, ctx) => {
    const problem = guessablePassword(v.password, v.username);
    if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: problem });
  });

export const passwordChangeSchema = z.strictObject({
  intent: z.literal("password"),
  current: z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(LIMITS.password),
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
    z.strictObject({ intent: z.literal("recovery-codes"), current: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(LIMITS.password) }),
    z.strictObject({ intent: z.literal("delete"), current: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(LIMITS.password), confirm: z.literal("delete my account", { error: 'Type "delete my account" to confirm.' }) }),
  ],
  { error: "Unknown action." },
);

/** The mute button on a profile. */
export const muteSchema = z.strictObject({ intent: z.enum(["mute", "unmute"], { error: "Unknown action." }) });

export const recoverSchema = z.strictObject({
  username: z.string({ error: "Enter your username." }).trim().min(1, "Enter your username.").max(LIMITS.signInName, atMost(LIMITS.signInName)),
  code: z.string({ error: "Enter one of your recovery codes." }).trim().min(1, "Enter one of your recovery codes.").max(64, "That is not a recovery code."),
  password: passwordSchema,
});

export const resetSchema = z.strictObject({ password: passwordSchema });

export const loginSchema = z.strictObject({
  username: z.string().trim().min(1, "Enter your username.").max(LIMITS.signInName, atMost(LIMITS.signInName)),
  password: z.string().min(1, "Enter your password.").max(LIMITS.password, atMost(LIMITS.password)),
  redirectTo,
});


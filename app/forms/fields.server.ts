import slugify from "slugify";
import { z } from "zod";
import { passwordProblem } from "../lib/common-passwords.server";
import { atMost, keepUnder, LIMITS } from "../lib/format";
import { renderable, TOO_DEEP } from "../lib/markdown.server";

// Fields many forms share, and the transport fields every form may carry.
// Kept server-side so zod never ships to browsers.

/** A new password, by the one set of rules (passwordProblem); forms that know the username check it against that too. */
export const passwordSchema = z.string({ error: "Choose a password." }).superRefine((p, ctx) => {
  const problem = passwordProblem(p, null);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Honeypot: people never see it, so anything in it is a bot. */
export const honeypot = z.literal("", { error: "Leave this field empty." }).optional();

/** Where to go after the form (checked again by safeRedirect). */
export const redirectTo = z.string().max(LIMITS.url).optional();

/** Present only when the page's script submitted the form (see useHydrated). */
export const via = z.literal("fetcher").optional();

// Control characters (but tabs and line breaks) carry no meaning in a comment.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** A comment's markdown. */
export const commentBody = z
  .string({ error: "Write something first." })
  .transform((s) => s.replace(CONTROL, "").trim())
  .pipe(z.string().min(1, "Write something first.").max(LIMITS.comment, keepUnder(LIMITS.comment)).refine(renderable, TOO_DEEP));

/** A positive row id from a form. */
export const id = (message: string) => z.coerce.number<string>({ error: message }).int(message).positive(message).max(2 ** 31, message);

export const slug = z
  .string({ error: "Choose a slug." })
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(LIMITS.slug, atMost(LIMITS.slug))
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters and digits separated by single hyphens.");

export const optionalUrl = z
  .string()
  .trim()
  .max(LIMITS.url, atMost(LIMITS.url))
  .refine((s) => s === "" || /^https?:\/\/[^\s]+$/i.test(s), "Give a full http(s) link, or leave it empty.")
  .transform((s) => (s === "" ? null : s));

/** A moderator's optional reason, for the log. */
export const reason = z.string().trim().max(LIMITS.reason, keepUnder(LIMITS.reason, "the reason")).optional().transform((s) => s || null);

/** A field that may come once, many times or not at all, as a list. */
export const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** A slug made from a question: "Will Meta's next Llama…?" becomes "will-metas-next-llama". */
export function slugFrom(text: string): string {
  return slugify(text, { lower: true, strict: true, trim: true }).slice(0, LIMITS.slug).replace(/-+$/, "");
}

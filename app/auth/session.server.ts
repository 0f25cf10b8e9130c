import { findSession } from "../models/sessions.server";
import type { Session, User } from "lucia";
import { claimGuestBallots } from "../models/ballots.server";
import { clearGuestCookie, guestOf } from "./guest.server";
import { lucia } from "./lucia.server";

/** However active, a session ends 90 days after sign-in. */
export const ABSOLUTE_SESSION_MS = 90 * 24 * 3600 * 1000;
const pastCap = (createdAt: number, now: number) => now - createdAt >= ABSOLUTE_SESSION_MS;

/** `guest`: the guest voter this browser is (issue 27), for a request with no signed-in user. */
export type Auth = { user: User | null; session: Session | null; setCookie: string | null; guest: string | null };

/**
 * Validates the session cookie once per request (server.ts calls this and
 * hands the result to Remix as load context). Bans end sessions: a banned
 * user's request is anonymous.
 */
export async function authenticate(cookieHeader: string | undefined): Promise<Auth> {
  const l = lucia();
  let sessionId: string | null;
  try {
    sessionId = l.readSessionCookie(cookieHeader ?? "");
  } catch {
    // A malformed header (`x=%ZZ` fails to decode) is an anonymous request, not an error.
    sessionId = null;
  }
  const guest = guestOf(cookieHeader);
  if (!sessionId) return { user: null, session: null, setCookie: null, guest };
  const { session, user } = await l.validateSession(sessionId);
  if (!session || !user) {
    return { user: null, session: null, setCookie: l.createBlankSessionCookie().serialize(), guest };
  }
  if (user.banned) {
    await l.invalidateUserSessions(user.id);
    return { user: null, session: null, setCookie: l.createBlankSessionCookie().serialize(), guest };
  }
  if (pastCap(session.createdAt, Date.now())) {
    await l.invalidateSession(session.id);
    return { user: null, session: null, setCookie: l.createBlankSessionCookie().serialize(), guest };
  }
  const setCookie = session.fresh ? l.createSessionCookie(session.id).serialize() : null;
  return { user, session, setCookie, guest: null };
}

/**
 * Whether a request carries a session or guest cookie at all, valid or not:
 * only requests without one may be served pages shared by everyone (a guest
 * sees their own answers).
 */
export function hasPersonalCookie(cookieHeader: string | undefined): boolean {
  if (!cookieHeader) return false;
  if (guestOf(cookieHeader)) return true;
  try {
    return lucia().readSessionCookie(cookieHeader) !== null;
  } catch {
    // authenticate() reads a header it cannot decode as no session.
    return false;
  }
}

/** Starts a new session (a fresh id on every sign-in) and returns its cookie. */
export async function startSession(userId: string): Promise<string> {
  const l = lucia();
  const session = await l.createSession(userId, { createdAt: Date.now() });
  return l.createSessionCookie(session.id).serialize();
}

/**
 * Signs in (or up) from a browser that may have answered as a guest: a new
 * session, and the guest's answers moved to the account in one transaction
 * (issue 27), the guest cookie then cleared. The headers to send.
 */
export async function signInFrom(userId: string, guest: string | null): Promise<Headers> {
  const headers = new Headers();
  headers.append("Set-Cookie", await startSession(userId));
  if (guest) {
    await claimGuestBallots(guest, userId);
    headers.append("Set-Cookie", clearGuestCookie());
  }
  return headers;
}

/** Ends the session on the server; the old cookie is worthless afterwards. */
export async function endSession(sessionId: string): Promise<string> {
  const l = lucia();
  await l.invalidateSession(sessionId);
  return l.createBlankSessionCookie().serialize();
}

/** Ends every session of the user, this one included. */
export async function endAllSessions(userId: string): Promise<string> {
  const l = lucia();
  await l.invalidateUserSessions(userId);
  return l.createBlankSessionCookie().serialize();
}

/** Ends every session of the user and starts a new one for this device (after a password change). */
export async function rotateSessions(userId: string): Promise<string> {
  await lucia().invalidateUserSessions(userId);
  return startSession(userId);
}

/** Deletes sessions past their expiry (they are refused anyway; this keeps the table small). */
export async function purgeExpiredSessions(): Promise<void> {
  await lucia().deleteExpiredSessions();
}

/**
 * Whether a session still stands: not signed out (here or everywhere), not
 * ended by a password change, not expired or past its cap, its person not
 * banned. Long-lived responses (the unread stream) ask it again and again.
 */
export async function sessionStillValid(sessionId: string, now = Date.now()): Promise<boolean> {
  const found = await findSession(sessionId);
  if (!found || found.user.banned) return false;
  return found.session.expiresAt * 1000 > now && !pastCap(found.session.createdAt, now);
}

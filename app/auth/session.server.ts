import type { Session, User } from "lucia";
import { lucia } from "./lucia.server";

export type Auth = { user: User | null; session: Session | null; setCookie: string | null };

/**
 * Validates the session cookie once per request (server.ts calls this and
 * hands the result to Remix as load context). Bans end sessions: a banned
 * user's request is anonymous.
 */
export async function authenticate(cookieHeader: string | undefined): Promise<Auth> {
  const l = lucia();
  const sessionId = l.readSessionCookie(cookieHeader ?? "");
  if (!sessionId) return { user: null, session: null, setCookie: null };
  const { session, user } = await l.validateSession(sessionId);
  if (!session || !user) {
    return { user: null, session: null, setCookie: l.createBlankSessionCookie().serialize() };
  }
  if (user.banned) {
    await l.invalidateUserSessions(user.id);
    return { user: null, session: null, setCookie: l.createBlankSessionCookie().serialize() };
  }
  const setCookie = session.fresh ? l.createSessionCookie(session.id).serialize() : null;
  return { user, session, setCookie };
}

/** Starts a new session (a fresh id on every sign-in) and returns its cookie. */
export async function startSession(userId: string): Promise<string> {
  const l = lucia();
  const session = await l.createSession(userId, { createdAt: Date.now() });
  return l.createSessionCookie(session.id).serialize();
}

/** Ends the session on the server; the old cookie is worthless afterwards. */
export async function endSession(sessionId: string): Promise<string> {
  const l = lucia();
  await l.invalidateSession(sessionId);
  return l.createBlankSessionCookie().serialize();
}

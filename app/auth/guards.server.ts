import { redirect, type AppLoadContext } from "@remix-run/node";
import { safeRedirect } from "../lib/form.server";
import { invariantResponse } from "../lib/invariant.server";
import type { User } from "lucia";
import { newGuest, type Voter } from "./guest.server";

type Args = { request: Request; context: AppLoadContext };

/** Signed-out visitors are sent to log in and brought back afterwards. */
export function requireUser({ request, context }: Args): User {
  const user = context.auth.user;
  if (!user) {
    const url = new URL(request.url);
    const back = request.method === "GET" ? url.pathname + url.search : url.pathname;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return user;
}

/**
 * Who answers a poll (issue 27): the signed-in member; else, where the poll
 * allows guests, this browser's guest, made now (with its cookie to set) if
 * it has none; else the visitor is sent to sign in. `embed`: the cookie is
 * the one a third-party frame keeps.
 */
export function requireVoter(args: Args, allowGuests: boolean, embed = false): Voter {
  const { user, guest } = args.context.auth;
  if (user || !allowGuests) return { id: requireUser(args).id, guest: false, setCookie: null };
  if (guest) return { id: guest, guest: true, setCookie: null };
  const made = newGuest(embed);
  return { id: made.id, guest: true, setCookie: made.setCookie };
}

const rank = { member: 0, moderator: 1, admin: 2 } as const;

export function requireRole(args: Args, role: "moderator" | "admin"): User {
  const user = requireUser(args);
  if (rank[user.role] < rank[role]) {
    invariantResponse(false, "You do not have permission to do that.", 403);
  }
  return user;
}

/** Sign-in and sign-up pages send a signed-in visitor on to where they were going. */
export function redirectSignedIn({ request, context }: Args): null {
  if (context.auth.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

import { redirect, type AppLoadContext } from "@remix-run/node";
import { safeRedirect } from "../lib/form.server";
import { invariantResponse } from "../lib/invariant.server";
import type { User } from "lucia";

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

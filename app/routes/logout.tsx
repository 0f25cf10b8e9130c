import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { endSession } from "~/auth/session.server";
import { readForm, safeRedirect } from "~/lib/form.server";
import { invariantResponse } from "~/lib/http.server";

// POST only: a GET must never sign anyone out (links can be prefetched).
export async function loader() {
  invariantResponse(false, "Sign out with the button in the header.", { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const to = safeRedirect(form.get("redirectTo"));
  const session = context.auth.session;
  if (!session) return redirect(to);
  return redirect(to, { headers: { "Set-Cookie": await endSession(session.id) } });
}

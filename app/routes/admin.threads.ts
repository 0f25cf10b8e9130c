import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { setThreadLocked } from "~/models/comments.server";
import { findThread } from "~/models/pages.server";
import { threadLockSchema } from "~/models/validation.server";
import { failureInit } from "~/lib/http.server";

// Moderators lock or unlock a thread from the thread itself.
export async function action(args: ActionFunctionArgs) {
  const mod = requireRole(args, "moderator");
  const parsed = parseForm(threadLockSchema, await readForm(args.request));
  if (!parsed.ok) throw new Response(Object.values(parsed.errors).flat().join(" "), { status: 400 });
  const { intent, topic, poll, reason, redirectTo } = parsed.data;
  const thread = await findThread(topic, poll);
  if (!thread) throw new Response("Thread not found", { status: 404 });
  const res = await setThreadLocked(mod.id, thread.topicId, thread.pollId, intent === "lock", reason);
  if (!res.ok) throw new Response(res.message, failureInit(res));
  return redirect(safeRedirect(redirectTo, "/"));
}

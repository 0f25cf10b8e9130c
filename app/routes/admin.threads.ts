import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { setThreadLocked } from "~/models/comments.server";
import { findThread } from "~/models/pages.server";
import { threadLockSchema } from "~/forms/discussion.server";
import { failureResponse, invariantResponse } from "~/lib/http.server";

// Moderators lock or unlock a thread from the thread itself.
export async function action(args: ActionFunctionArgs) {
  const mod = requireRole(args, "moderator");
  const parsed = parseForm(threadLockSchema, await readForm(args.request));
  if (!parsed.ok) invariantResponse(false, Object.values(parsed.errors).flat().join(" "), 400);
  const { intent, topic, poll, reason, redirectTo } = parsed.data;
  const thread = await findThread(topic, poll);
  invariantResponse(thread, "Thread not found");
  const res = await setThreadLocked(mod.id, thread.topicId, thread.pollId, intent === "lock", reason);
  if (!res.ok) failureResponse(res);
  return redirect(safeRedirect(redirectTo, "/"));
}

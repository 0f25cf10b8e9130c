import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { readForm } from "~/lib/form.server";
import { openNotification } from "~/models/notifications.server";
import { failureResponse, invariantResponse } from "~/lib/http.server";

const ID = /^\d{1,12}$/;

/**
 * Opening a notification goes where it points: the comment in its thread,
 * the resolved poll, or the followed topic. Only a POST (the inbox's button)
 * marks it, and the notices folded into its line, read; a GET just follows
 * it, so a link from another site changes nothing (issue 23).
 */
async function open(userId: string, idParam: string | undefined, alsoField: string, markRead: boolean) {
  const id = idParam ?? "";
  const also = alsoField.split(",").filter(Boolean);
  invariantResponse(ID.test(id) && also.length <= 100 && also.every((a) => ID.test(a)), "No such notification");
  const res = await openNotification(userId, Number(id), also.map(Number), { markRead });
  if (!res.ok) failureResponse(res);
  if (res.kind === "resolved" && res.pollSlug) return redirect(`/t/${res.topicSlug}/p/${res.pollSlug}`);
  if (res.kind === "follow" && also.length > 0) return redirect(`/t/${res.topicSlug}#discussion`);
  if (res.commentId !== null) return redirect(`/c/${res.commentId}`);
  return redirect(res.pollSlug ? `/t/${res.topicSlug}/p/${res.pollSlug}` : `/t/${res.topicSlug}`);
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  return open(user.id, args.params.id, new URL(args.request.url).searchParams.get("also") ?? "", false);
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const also = (await readForm(args.request)).get("also");
  return open(user.id, args.params.id, typeof also === "string" ? also : "", true);
}

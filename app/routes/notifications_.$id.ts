import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { openNotification } from "~/models/notifications.server";

const ID = /^\d{1,12}$/;

// Opening a notification marks it read and goes where it points: the
// comment in its thread, the resolved poll, or the followed topic.
export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const id = args.params.id ?? "";
  const also = (new URL(args.request.url).searchParams.get("also") ?? "").split(",").filter(Boolean);
  if (!ID.test(id) || also.length > 100 || !also.every((a) => ID.test(a))) throw new Response("No such notification", { status: 404 });
  const res = await openNotification(user.id, Number(id), also.map(Number));
  if (!res.ok) throw new Response(res.message, { status: 404 });
  if (res.kind === "resolved" && res.pollSlug) return redirect(`/t/${res.topicSlug}/p/${res.pollSlug}`);
  if (res.kind === "follow" && also.length > 0) return redirect(`/t/${res.topicSlug}#discussion`);
  if (res.commentId !== null) return redirect(`/c/${res.commentId}`);
  return redirect(res.pollSlug ? `/t/${res.topicSlug}/p/${res.pollSlug}` : `/t/${res.topicSlug}`);
}

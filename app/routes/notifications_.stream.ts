import type { LoaderFunctionArgs } from "@remix-run/node";
import { eventStream } from "~/lib/sse.server";
import { subscribeToInbox } from "~/models/inbox-stream.server";
import { admitStream, onShutdown } from "~/models/results-stream.server";

// Server-sent events: `unread` messages carry the signed-in person's unread count.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  if (!user) return new Response("Sign in to follow your notifications.", { status: 401 });
  return eventStream({
    request,
    gone: context.clientGone,
    admit: () => admitStream(context.clientIp, { total: context.settings.MAX_STREAMS, perAddress: context.settings.MAX_STREAMS_PER_ADDRESS }),
    event: "unread",
    subscribe: (send) => subscribeToInbox(user.id, send),
    onShutdown,
  });
}

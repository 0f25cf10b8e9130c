import type { LoaderFunctionArgs } from "@remix-run/node";
import { sessionStillValid } from "~/auth/session.server";
import { eventStream } from "~/lib/sse.server";
import { subscribeToInbox } from "~/models/inbox-stream.server";
import { admitStream, onShutdown } from "~/models/results-stream.server";
import { invariantResponse } from "~/lib/http.server";

// Server-sent events: `unread` messages carry the signed-in person's unread count.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = context.auth;
  invariantResponse(user && session, "Sign in to follow your notifications.", 401);
  return eventStream({
    request,
    gone: context.clientGone,
    admit: () => admitStream(context.clientIp, { total: context.settings.MAX_STREAMS, perAddress: context.settings.MAX_STREAMS_PER_ADDRESS }),
    event: "unread",
    subscribe: (send) => subscribeToInbox(user.id, send),
    onShutdown,
    // Signing out everywhere, a password change or a ban ends the stream too (issue 23).
    recheck: { everyMs: context.settings.STREAM_RECHECK_MS, stillValid: () => sessionStillValid(session.id) },
  });
}

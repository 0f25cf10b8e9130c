import type { LoaderFunctionArgs } from "@remix-run/node";
import { eventStream } from "~/lib/sse.server";
import { admitStream, onShutdown, subscribeToResults } from "~/models/results-stream.server";

// Server-sent events: `results` messages carry the same JSON as results.json.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return eventStream({
    request,
    gone: context.clientGone,
    admit: () => admitStream(context.clientIp, { total: context.settings.MAX_STREAMS, perAddress: context.settings.MAX_STREAMS_PER_ADDRESS }),
    event: "results",
    subscribe: (send) => subscribeToResults(params.topic ?? "", send),
    onShutdown,
  });
}

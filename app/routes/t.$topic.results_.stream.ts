import type { LoaderFunctionArgs } from "@remix-run/node";
import { failureInit } from "~/lib/http.server";
import { admitStream, onShutdown, subscribeToResults } from "~/models/results-stream.server";

const HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
};

// Server-sent events: `results` messages carry the same JSON as results.json.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  // A HEAD has no body to stream into: answering it must not subscribe.
  if (request.method === "HEAD") return new Response(null, { headers: HEADERS });
  const admission = admitStream(context.clientIp, { total: context.settings.MAX_STREAMS, perAddress: context.settings.MAX_STREAMS_PER_ADDRESS });
  if (!admission.ok) return new Response(admission.message, failureInit(admission));
  const gone = context.clientGone;
  const encoder = new TextEncoder();
  let close = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      let unsubscribe = () => {};
      let offShutdown = () => {};
      let ping: NodeJS.Timeout | undefined = undefined;
      close = () => {
        if (!open) return;
        open = false;
        clearInterval(ping);
        unsubscribe();
        offShutdown();
        admission.release();
        gone.removeEventListener("abort", close);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      // Registered before any await: a client that leaves during the first
      // computation must still release everything it holds.
      gone.addEventListener("abort", close);
      offShutdown = onShutdown(close);
      if (gone.aborted) return close();
      const send = (chunk: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          close();
        }
      };
      const sub = await subscribeToResults(params.topic ?? "", (json) => send(`event: results\ndata: ${json}\n\n`)).catch(() => null);
      if (!sub) return close();
      unsubscribe = sub.unsubscribe;
      if (!open) return unsubscribe();
      // Comments keep proxies from closing an idle connection.
      ping = setInterval(() => send(": ping\n\n"), 25_000);
      send(`retry: 5000\nevent: results\ndata: ${sub.initial}\n\n`);
    },
    cancel() {
      close();
    },
  });
  return new Response(stream, { headers: HEADERS });
}

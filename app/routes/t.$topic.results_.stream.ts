import type { LoaderFunctionArgs } from "@remix-run/node";
import { onShutdown, subscribeToResults } from "~/models/results-stream.server";

// Server-sent events: `results` messages carry the same JSON as results.json.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send = (chunk: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          close();
        }
      };
      const sub = await subscribeToResults(params.topic ?? "", (json) => send(`event: results\ndata: ${json}\n\n`));
      if (!sub) {
        controller.close();
        return;
      }
      // Comments keep proxies from closing an idle connection.
      const ping = setInterval(() => send(": ping\n\n"), 25_000);
      const offShutdown = onShutdown(() => close());
      function close() {
        if (!open) return;
        open = false;
        clearInterval(ping);
        sub!.unsubscribe();
        offShutdown();
        try {
          controller.close();
        } catch {
          // already closed
        }
      }
      cleanup = close;
      request.signal.addEventListener("abort", close);
      send(`retry: 5000\nevent: results\ndata: ${sub.initial}\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}

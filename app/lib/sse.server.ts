import type { Failure } from "../models/outcome";
import { failureResponse } from "./http.server";

// Server-sent events for the live streams (results, the inbox count): the
// open/close bookkeeping both share, so a stream always releases its slot.

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
};

type Subscription = { initial: string; unsubscribe: () => void };

/**
 * A streaming response. `subscribe` receives a `send(data)` for later
 * messages and answers the first message, or null to end at once.
 */
export function eventStream(opts: {
  request: Request;
  gone: AbortSignal;
  /** Takes a stream slot; asked only for a GET. */
  admit: () => { ok: true; release: () => void } | Failure;
  event: string;
  subscribe: (send: (data: string) => void) => Promise<Subscription | null>;
  onShutdown: (close: () => void) => () => void;
  /** For a person's own stream: asked every `everyMs`; the stream ends once it answers false. */
  recheck?: { everyMs: number; stillValid: () => Promise<boolean> };
}): Response {
  // A HEAD has no body to stream into: answering it must not subscribe.
  if (opts.request.method === "HEAD") return new Response(null, { headers: SSE_HEADERS });
  const admission = opts.admit();
  if (!admission.ok) failureResponse(admission);
  const { gone, event } = opts;
  const encoder = new TextEncoder();
  let close = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      let unsubscribe = () => {};
      let offShutdown = () => {};
      let ping: NodeJS.Timeout | undefined = undefined;
      let recheck: NodeJS.Timeout | undefined = undefined;
      close = () => {
        if (!open) return;
        open = false;
        clearInterval(ping);
        clearInterval(recheck);
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
      offShutdown = opts.onShutdown(close);
      if (gone.aborted) return close();
      const send = (chunk: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          close();
        }
      };
      const sub = await opts.subscribe((data) => send(`event: ${event}\ndata: ${data}\n\n`)).catch(() => null);
      if (!sub) return close();
      unsubscribe = sub.unsubscribe;
      if (!open) return unsubscribe();
      // Comments keep proxies from closing an idle connection.
      ping = setInterval(() => send(": ping\n\n"), 25_000);
      const { recheck: again } = opts;
      if (again) {
        recheck = setInterval(() => {
          again.stillValid().then(
            (valid) => valid || close(),
            () => {}, // a failed check is asked again next time
          );
        }, again.everyMs);
      }
      send(`retry: 5000\nevent: ${event}\ndata: ${sub.initial}\n\n`);
    },
    cancel() {
      close();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

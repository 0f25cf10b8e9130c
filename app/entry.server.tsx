import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { noteFailure } from "./models/health.server";
import { NonceContext, RequestIdContext } from "./nonce";
import { SlotRecorder, type CapturedSlot } from "./components/Slot";

// What server.ts needs at start and stop, from this one copy of the app.
export { pulse } from "./process.server";

/** Unexpected errors are logged with the request id the error page shows; clients never see the details. */
export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  // Unmatched URLs are 404s, not failures.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  // A write that failed for lack of space or permission takes /healthz down.
  noteFailure(error);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`error id=${context.requestId} ${request.method} ${new URL(request.url).pathname}: ${detail}`);
}

/**
 * Pages are drawn whole, with renderToString: nothing Pulse draws streams
 * (no defer, no Suspense), the server sends finished bodies anyway (issue 26),
 * and React 18's streaming renderer writes stray NUL bytes where a multi-byte
 * character meets its 2 KB chunk boundary (react#31134, fixed in React 19
 * only). A test that compares two renders byte for byte found one.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Pages drawn to be shared have no nonce (server.ts): their scripts are allowed by hash.
  const nonce = loadContext.cspNonce || undefined;
  const html = renderToString(
    <SlotRecorder.Provider value={(loadContext.slots as Map<string, CapturedSlot> | null) ?? null}>
      <NonceContext.Provider value={nonce}>
        <RequestIdContext.Provider value={loadContext.requestId}>
          <RemixServer context={remixContext} url={request.url} nonce={nonce} />
        </RequestIdContext.Provider>
      </NonceContext.Provider>
    </SlotRecorder.Provider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return new Response(`<!DOCTYPE html>${html}`, { headers: responseHeaders, status: responseStatusCode });
}

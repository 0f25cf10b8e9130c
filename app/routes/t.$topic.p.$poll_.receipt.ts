import type { LoaderFunctionArgs } from "@remix-run/node";
import { failureResponse, invariantResponse } from "~/lib/http.server";
import { getReceipt } from "~/models/ballot-log.server";

// The voter's receipt for a poll, as JSON (docs/ballot-log.md): a member's, or this browser's as a guest (issue 27).
export async function loader({ params, context }: LoaderFunctionArgs) {
  const voter = context.auth.user?.id ?? context.auth.guest;
  invariantResponse(voter, { error: "Sign in to see your receipt." }, 401);
  const r = await getReceipt(params.topic ?? "", params.poll ?? "", voter);
  if (!r.ok) failureResponse(r);
  invariantResponse(!("none" in r), { error: "You have not answered this poll." });
  const base = `/t/${params.topic}/p/${params.poll}/log`;
  return new Response(
    JSON.stringify({
      version: 1,
      leafHash: r.leafHash,
      entry: r.entry,
      index: r.index,
      checkpoint: r.checkpoint,
      // The log itself is public once the poll's results are.
      log: r.public ? { checkpoint: `${base}/checkpoint`, tiles: `${base}/tile/`, key: "/recount/key" } : null,
    }),
    { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store" } },
  );
}
